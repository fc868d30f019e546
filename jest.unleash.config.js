/** `npm run test:unleash`: the adapters against a real unleash-server (see test/unleash/). */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/unleash'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  setupFiles: ['reflect-metadata'],
  globalSetup: '<rootDir>/test/unleash/unleash.global-setup.ts',
  globalTeardown: '<rootDir>/test/unleash/unleash.global-teardown.ts',
  testTimeout: 60000,
  maxWorkers: 1,
};
