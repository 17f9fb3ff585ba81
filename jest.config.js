/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  // The real-engine tier needs tools and services: `npm run test:real` (jest.real.config.js).
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/tests/real/"],
  transform: { "^.+\\.ts$": "ts-jest" },
  // index.ts imports the library by its package name; tests run it from source, no build needed.
  moduleNameMapper: { "^platform-backups$": "<rootDir>/components/index.ts" },
  // Loading the provider SDKs takes a few seconds per file when both cores are busy.
  testTimeout: 30000,
  // Type errors are caught once by `npm run typecheck`; with isolatedModules ts-jest only transpiles.
};
