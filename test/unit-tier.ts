/**
 * The fast tier, `npm run test:unit` (KANAL_TEST_TIER=unit, see vitest.config.ts): tests of pure
 * modules — the flow, parsers, templates, configuration, SOP presets and calendars, the text
 * splitter, report formatting, the dependency rules. No database, no server, no child process, no
 * browser: a temp file at most (test/architecture/test-tiers.test.ts keeps it so). `npm test` runs
 * these and everything else.
 */
export const UNIT_FOLDERS = ["test/flow/", "test/i18n/", "test/config/"];

export const UNIT_FILES = [
  "test/architecture/imports.test.ts",
  "test/architecture/outbox-writer.test.ts",
  "test/architecture/test-tiers.test.ts",
  "test/channels/email-parsing.test.ts",
  "test/channels/shared.test.ts",
  "test/cluster/duties.test.ts",
  "test/complaints/holidays.test.ts",
  "test/complaints/lifecycle.test.ts",
  "test/complaints/sop.test.ts",
  "test/complaints/tracking-code.test.ts",
  "test/console/pages.test.ts",
  "test/console/passwords.test.ts",
  "test/db/unavailable.test.ts",
  "test/outbox/units.test.ts",
  "test/reports/redact.test.ts",
  "test/reports/units.test.ts",
  "test/storage/file-names.test.ts",
  "test/storage/file-types.test.ts",
];

/** As vitest's `include` globs. */
export const UNIT_TESTS = [...UNIT_FOLDERS.map((folder) => `${folder}**/*.test.ts`), ...UNIT_FILES];
