// Shared by the suite tests: fixture paths, a scratch directory per test file, and the `# expect:` lines that
// fixtures use to declare the exact diagnostics they must produce.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll } from "vitest";
import type { Diagnostic } from "../../src/suite/diagnostics.js";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const SUITE_FIXTURES = join(REPO_ROOT, "fixtures/suites");
export const FIXTURE_MODELS = join(SUITE_FIXTURES, "models");

/** A fresh temporary directory, removed after the test file. */
export function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "tunegate-suite-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface Expectation {
  /** `severity file:line:col code`, file relative to the fixture's folder. */
  key: string;
  /** Text that the diagnostic's message or hint must contain. */
  substring?: string;
}

const EXPECT_LINE = /^# expect: (error|warning) (?:(.+?):)?(\d+):(\d+) ([a-z0-9-]+)(?: "(.*)")?$/;

/** The `# expect: error [file:]line:col code "substring"` lines of a fixture. */
export function expectationsOf(fixture: string): Expectation[] {
  return readFileSync(fixture, "utf8")
    .split("\n")
    .filter((line) => line.startsWith("# expect:"))
    .map((line) => {
      const m = EXPECT_LINE.exec(line.trimEnd());
      if (m === null) throw new Error(`malformed expectation in ${fixture}: ${line}`);
      const [, severity, file, lineNo, column, code, substring] = m;
      const where = file ?? relative(dirname(fixture), fixture);
      const key = `${severity} ${where}:${lineNo}:${column} ${code}`;
      return substring === undefined ? { key } : { key, substring: substring.replace(/\\"/g, '"') };
    });
}

export function diagnosticKey(d: Diagnostic, fixture: string): string {
  return `${d.severity} ${relative(dirname(fixture), d.location.file)}:${d.location.line}:${d.location.column} ${d.code}`;
}
