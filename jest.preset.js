// Shared jest settings: TypeScript compiled by SWC straight to native ESM (run with
// --experimental-vm-modules), so ESM-only dependencies (@actions/core 3, the oracle in packages/github's
// tests, the AWS SDK's ESM builds) load as they do in production. Nothing is transformed to CommonJS and
// no module is auto-mocked.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } },
    ],
  },
  // NodeNext source imports './x.js'; resolve it to the TypeScript file beside it.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/src/**/*.test.ts'],
  testTimeout: 30_000,
  reporters: ['default', new URL('./scripts/jest/tally-reporter.js', import.meta.url).pathname],
};
