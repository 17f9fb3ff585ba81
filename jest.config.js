/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": "ts-jest" },
  // Loading the provider SDKs takes a few seconds per file when both cores are busy.
  testTimeout: 30000,
  // Type errors are caught once by `npm run typecheck`; with isolatedModules ts-jest only transpiles.
};
