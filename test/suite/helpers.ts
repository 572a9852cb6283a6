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

/** 1-based line and column where `snippet` first occurs in `text` (the `nth` occurrence, from 1). */
export function positionOf(text: string, snippet: string, nth = 1): { line: number; column: number } {
  let index = -1;
  for (let i = 0; i < nth; i++) {
    index = text.indexOf(snippet, index + 1);
    if (index === -1) throw new Error(`${JSON.stringify(snippet)} does not occur ${nth} time(s)`);
  }
  const before = text.slice(0, index);
  const line = before.split("\n").length;
  return { line, column: index - (before.lastIndexOf("\n") + 1) + 1 };
}

export interface SuiteParts {
  labels?: string;
  fewShot?: string;
  lora?: string;
  cases?: string;
  rest?: string;
}

/** A valid, warning-free suite as YAML text; each part replaces one top-level section. */
export function suiteYaml(parts: SuiteParts = {}): string {
  const sections = [
    parts.labels ?? "labels: [complaint, inquiry, praise]",
    parts.fewShot ??
      [
        "few_shot:",
        `  model: ${FIXTURE_MODELS}/base.gguf`,
        "  role: a support triage assistant",
        "  task: classify each message",
        "  format: one word",
        "  examples:",
        "    - { input: It broke., output: complaint }",
        "    - { input: Do you ship abroad?, output: inquiry }",
        "    - { input: Great service!, output: praise }",
      ].join("\n"),
    parts.lora ?? ["lora:", `  adapter: ${FIXTURE_MODELS}/triage-lora.gguf`, '  template: "Message: {input}\\nCategory:"'].join("\n"),
    parts.cases ?? ["cases:", "  - { input: The box was crushed., expected: complaint }", "  - { input: When do you open?, expected: inquiry }"].join("\n"),
    parts.rest ?? "volume: { calls_per_day: 1000 }",
  ];
  return `${sections.filter((s) => s !== "").join("\n")}\n`;
}
