/** @type {import('jest').Config} */
module.exports = {
    testEnvironment: "node",
    roots: ["<rootDir>/tests"],
    testMatch: ["**/*.test.ts"],
    // tests/install/ installs packages from the registry (`npm run test:install`); tests/real/ needs
    // real restic, S3, Docker and promtool (`npm run test:real`). Neither belongs in the fast unit tier.
    testPathIgnorePatterns: ["/node_modules/", "<rootDir>/tests/install/", "<rootDir>/tests/real/"],
    transform: { "^.+\\.ts$": "ts-jest" },
    // index.ts imports the library by its package name; tests run it from source, no build needed.
    moduleNameMapper: {
        "^platform-backups$": "<rootDir>/components/index.ts",
        // One copy of each @pulumi package, the root's, whatever else is installed: policy/ has its own
        // node_modules once `npm ci --prefix policy` ran (docs/ci.md, `npm run dev`), and a second
        // @pulumi/policy there means a second `Secret` class that `instanceof` does not recognise.
        // tests/installState.test.ts proves it.
        "^(@pulumi/[^/]+)(/.*)?$": "<rootDir>/node_modules/$1$2",
    },
    // Loading the provider SDKs takes a few seconds per file when both cores are busy.
    testTimeout: 30000,
    // Type errors are caught once by `npm run typecheck`; with isolatedModules ts-jest only transpiles.
};
