// @ts-check
/**
 * Three Jest projects (STYLE.md): `unit` needs no infrastructure; `integration` and `e2e` run against
 * the real Kafka broker and the real PostgreSQL (`npm test` brings them up when none is reachable).
 */
const shared = {
  testEnvironment: 'node',
  rootDir: __dirname,
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', diagnostics: false }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@saga/([a-z-]+)$': '<rootDir>/libs/$1/src',
    '^@saga/([a-z-]+)/(.*)$': '<rootDir>/libs/$1/src/$2',
  },
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.local/'],
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs,infra,bench}/**/*.spec.ts'],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,infra}/**/*.int-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/setup/timeouts.ts'],
    },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/setup/timeouts.ts'],
    },
  ],
};
