/** `npm run test:install`: tests that install packages (registry or npm cache) and take longer. */
const base = require("./jest.config");

/** @type {import('jest').Config} */
module.exports = {
    ...base,
    roots: ["<rootDir>/tests/install"],
    testPathIgnorePatterns: ["/node_modules/"],
    testTimeout: 300000,
};
