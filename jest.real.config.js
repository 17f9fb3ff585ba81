/**
 * The real-engine tier (`npm run test:real`): tests/real/** against real restic, s3rver, dockerd,
 * promtool, Compose, shellcheck, actionlint and rsvg-convert. scripts/real/test.sh runs it after
 * checking the tools and starting the services; the unit tier (jest.config.js) never loads it.
 * @type {import('jest').Config}
 */
module.exports = {
    testEnvironment: "node",
    roots: ["<rootDir>/tests/real"],
    testMatch: ["**/*.real.test.ts"],
    transform: { "^.+\\.ts$": "ts-jest" },
    moduleNameMapper: { "^platform-backups$": "<rootDir>/components/index.ts" },
    // Real engines: a restic call against s3rver takes seconds, a container start a few more.
    testTimeout: 180000,
};
