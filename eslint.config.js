// ESLint flat config: typescript-eslint's type-aware rules where they catch real bugs (promises
// nobody awaits, switches that miss a case, `any` leaking in), Prettier for layout.
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: ["node_modules/", "data/", "dist/", "coverage/", "test-results/", "src/db/generated/", "prisma/**/migrations/"],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { arguments: false, attributes: false } }],
      "@typescript-eslint/switch-exhaustiveness-check": ["error", { considerDefaultExhaustiveForUnions: true }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      "@typescript-eslint/no-explicit-any": "error",
      eqeqeq: ["error", "always", { null: "ignore" }],
      "no-console": "error",
      // An async function without await is how a promise-returning interface turns a throw into a
      // rejection (Fastify handlers, ChannelAdapter methods): not a mistake here.
      "@typescript-eslint/require-await": "off",
    },
  },
  {
    // The browser page's plain modules (no build step): browser globals, no type information.
    files: ["channels/webchat/public/**/*.js", "src/console/public/**/*.js"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { parserOptions: { projectService: false, project: null }, globals: { ...globals.browser } },
  },
  {
    files: ["**/*.mjs", "**/*.cjs", "eslint.config.js"],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Tests and benchmarks may print and may poke at loosely typed fixtures.
    files: ["test/**", "bench/**", "scripts/**"],
    rules: {
      "no-console": "off",
      // `expect(fake.send).toHaveBeenCalled…` passes a method unbound on purpose.
      "@typescript-eslint/unbound-method": "off",
    },
  },
  prettier,
);
