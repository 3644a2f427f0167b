/** @type {import('jest').Config} */
const ts = ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', isolatedModules: true }];
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      roots: ['<rootDir>/network/devnet/src', '<rootDir>/chaincode/src', '<rootDir>/gateway/src', '<rootDir>/gateway/web'],
      testMatch: ['**/*.test.ts'],
      transform: { '^.+\\.ts$': ts },
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      roots: ['<rootDir>/test/src'],
      testMatch: ['**/*.e2e.ts'],
      transform: { '^.+\\.ts$': ts },
    },
    {
      // Real Fabric binaries (FABRIC_BIN): run only on request (`--selectProjects native`), never by default e2e.
      displayName: 'native',
      testEnvironment: 'node',
      roots: ['<rootDir>/test/src'],
      testMatch: ['**/*.native.ts'],
      transform: { '^.+\\.ts$': ts },
    },
    {
      // Fault tests (kill -9 under load through the REST gateway): `make test-faults` (`--selectProjects faults`).
      displayName: 'faults',
      testEnvironment: 'node',
      roots: ['<rootDir>/test/src'],
      testMatch: ['**/*.faults.ts'],
      transform: { '^.+\\.ts$': ts },
    },
    {
      // Fuzzing (issue #9, bad input): the REST gateway from its OpenAPI document, devnet's gRPC surface. `make test-fuzz`.
      displayName: 'fuzz',
      testEnvironment: 'node',
      roots: ['<rootDir>/test/src'],
      testMatch: ['**/*.fuzz.ts'],
      transform: { '^.+\\.ts$': ts },
    },
    {
      // Browser tests (issue #10): the web pages in a real headless Chromium (Debian's chromium + playwright-core)
      // against a devnet and the gateway in-process. `make test-browser` (`--selectProjects browser --runInBand`).
      displayName: 'browser',
      testEnvironment: 'node',
      roots: ['<rootDir>/test/src'],
      testMatch: ['**/*.browser.ts'],
      transform: { '^.+\\.ts$': ts },
    },
  ],
};
