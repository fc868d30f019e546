/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The real-Unleash suite has its own config and server (npm run test:unleash).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/unleash/'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  setupFiles: ['reflect-metadata'],
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/redis.global-teardown.ts',
  testTimeout: 30000,
  maxWorkers: 2,
};
