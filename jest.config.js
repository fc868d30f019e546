/**
 * Two projects: unit tests need nothing but Node (and dist/ for the few that
 * spawn the gateway); functional tests drive real HTTP servers and the real
 * Redis, which only they pay for (the global setup reuses 127.0.0.1:6379 or
 * starts a redis-server). The real-Unleash suite has
 * its own config (npm run test:unleash).
 */
const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  setupFiles: ['reflect-metadata'],
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 30000,
  maxWorkers: 2,
  projects: [
    // Unit tests need no Redis; the few that spawn the gateway need dist/ to match src/.
    { ...common, displayName: 'unit', roots: ['<rootDir>/test/unit'], testMatch: ['**/*.test.ts'], globalSetup: '<rootDir>/test/helpers/dist.global-setup.ts' },
    {
      ...common,
      displayName: 'functional',
      roots: ['<rootDir>/test/functional', '<rootDir>/test/browser'],
      testMatch: ['**/*.test.ts'],
      globalSetup: '<rootDir>/test/helpers/global-setup.ts',
      globalTeardown: '<rootDir>/test/helpers/redis.global-teardown.ts',
    },
  ],
};
