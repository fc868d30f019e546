/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  setupFiles: ['reflect-metadata'],
  globalSetup: '<rootDir>/test/helpers/redis.global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/redis.global-teardown.ts',
  testTimeout: 30000,
  maxWorkers: 2,
};
