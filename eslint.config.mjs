// ESLint 9 flat config: typescript-eslint's recommended rules with type information, and
// @pulumi/eslint-plugin's rules (an Output in a template literal is a bug: use pulumi.interpolate).
// Formatting is Prettier's job (eslint-config-prettier turns off the rules that would fight it).
import js from "@eslint/js";
import pulumi from "@pulumi/eslint-plugin";
import prettier from "eslint-config-prettier";
import tseslint from "typescript-eslint";

export default tseslint.config(
    // .tools/ holds the real tier's unpacked Debian packages (npm run setup:real); .stryker-tmp/ and
    // reports/ are Stryker's sandbox and reports (npm run mutation): none of it is our code.
    { ignores: ["node_modules/", "dist/", "out/", "coverage/", "examples/", "policy/node_modules/", "schema/", ".tools/", ".stryker-tmp/", "reports/"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        files: ["**/*.ts"],
        languageOptions: {
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
        },
        plugins: { "@pulumi": pulumi },
        rules: {
            "@pulumi/no-output-in-template-literal": "error",
            "@pulumi/no-output-instance-in-template-literal": "error",
            // `_`-prefixed parameters and caught errors are unused on purpose.
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", caughtErrors: "none" }],
        },
    },
    {
        // Small functions in the library: a constructor or validator that grows past 80 lines is
        // split into named builders or section validators (components/appBackup/, components/config/).
        files: ["components/**/*.ts"],
        rules: { "max-lines-per-function": ["error", { max: 80 }] },
    },
    {
        // The scripts are CommonJS entry points run by Node directly (register-ts.js hooks
        // require itself); require() there is the point, not an accident.
        files: ["scripts/**"],
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
    {
        // Tests load modules anew with require() inside jest.isolateModules, or check how a
        // package resolves (tests/installState.test.ts): require() there is the point.
        files: ["tests/**/*.ts"],
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
    {
        // Plain .js files here are CommonJS (jest configs, the policy-pack loader).
        files: ["**/*.js", "**/*.mjs"],
        rules: { "@typescript-eslint/no-require-imports": "off" },
        languageOptions: { globals: { require: "readonly", module: "writable", process: "readonly", __dirname: "readonly", console: "readonly" } },
    },
    prettier,
);
