/** @type {import('jest').Config} */
const ts = ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', isolatedModules: true }];
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      roots: ['<rootDir>/network/devnet/src', '<rootDir>/chaincode/src', '<rootDir>/gateway/src'],
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
  ],
};
