// Three projects: `unit` is pure logic and the Telegram emulator (no cluster); `integration` runs
// against a real kube-apiserver + etcd that jest's global setup starts (test/harness/globalSetup.ts);
// `e2e` runs the image as Pods on a real one-node cluster that its test file starts (hack/e2e/cluster.sh).
const common = {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  // .dev/ holds running control planes: etcd's *.snap files there are not jest snapshots.
  modulePathIgnorePatterns: ['<rootDir>/.dev/'],
  watchPathIgnorePatterns: ['<rootDir>/.dev/'],
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
};

export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts', '<rootDir>/test/emulator/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/harness/globalSetup.ts',
      globalTeardown: '<rootDir>/test/harness/globalTeardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/harness/setupIntegration.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
    },
  ],
};
