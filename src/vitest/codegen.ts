// Turns an evaluated suite into a Vitest test module: describe(suite) → describe("few-shot") / describe("lora")
// → one test per case, named by its input and expected label, plus a final gate test. Every generated line
// maps back to the YAML (or cases-file) line it stands for; the gate test to the line that decided it.
import { ARM_DISPLAY, ARMS, type ArmName, type SourceLocation } from "../types.js";
import type { SuitePayload } from "./payload.js";
import { lineSourceMap, type LineOrigin, type SourceMapV3 } from "./source-map.js";

// Test names keep the lower-case spelling they have always had, so `vitest -t` filters and CI histories still match.
export const ARM_TITLES = Object.fromEntries(ARMS.map((arm) => [arm, ARM_DISPLAY[arm].toLowerCase()])) as Record<ArmName, string>;
const NAME_WIDTH = 60;

/**
 * A case's test name: its input on one line, shortened, then the expected label. It depends on the case alone,
 * never on a result, so a test keeps its name (and its history in CI, its `-t` filter) from run to run; what an
 * arm predicted is in the failure message, the warning annotation and the test's meta. The arm is the name of
 * the describe block around it, part of the full name every reporter shows.
 */
export function caseTestName(input: string, expected: string): string {
  const oneLine = input.replace(/\s+/g, " ").trim();
  const short = oneLine.length > NAME_WIDTH ? `${oneLine.slice(0, NAME_WIDTH - 1)}…` : oneLine;
  return `${short} → ${expected}`;
}

export interface GeneratedModule {
  code: string;
  map: SourceMapV3;
}

/** The 1-based line of a top-level key in the YAML text, for the tests that stand for the suite as a whole. */
function lineOfKey(yaml: string, key: string): number {
  const index = yaml.split("\n").findIndex((line) => line.startsWith(`${key}:`));
  return index === -1 ? 1 : index + 1;
}

/** The line of `gate:`'s `fail_on:` (block or flow style), else of `gate:`, else 1. */
function lineOfFailOn(yaml: string): number {
  const lines = yaml.split("\n");
  const gate = lines.findIndex((line) => line.startsWith("gate:"));
  if (gate === -1) return 1;
  if (/\bfail_on\s*:/.test(lines[gate]!)) return gate + 1;
  for (let i = gate + 1; i < lines.length && /^(\s|#|$)/.test(lines[i]!); i++) {
    if (/^\s+fail_on\s*:/.test(lines[i]!)) return i + 1;
  }
  return gate + 1;
}

/** Where the gate test stands, so its failure's code frame shows the cause: the first missed must case, or fail_on. */
function gateOrigin(payload: SuitePayload, yaml: string): SourceLocation | { line: number } {
  const firstMiss = payload.gate.mustMisses[0];
  if (firstMiss !== undefined && payload.cases[firstMiss] !== undefined) return payload.cases[firstMiss].location;
  return { line: lineOfFailOn(yaml) };
}

/** What `vitest list` needs of a suite: the names of its tests, which depend on the cases alone. */
export type ListedSuite = Pick<SuitePayload, "name" | "file"> & { cases: Array<Pick<SuitePayload["cases"][number], "input" | "expected" | "location">> };

/**
 * The module `vitest list` collects: the same describe blocks and test names as the evaluated module, with no
 * results and no model run (collecting never runs a test body).
 */
export function generateListingModule(suite: ListedSuite, yaml: string): GeneratedModule {
  const lines: string[] = [];
  const origins: LineOrigin[] = [];
  const sources = [suite.file];
  const contents: Array<string | null> = [yaml];
  const emit = (code: string, at: { line: number; column?: number; file?: string }) => {
    let source = sources.indexOf(at.file ?? suite.file);
    if (source === -1) {
      source = sources.push(at.file!) - 1;
      contents.push(null);
    }
    lines.push(code);
    origins.push({ source, line: at.line, column: at.column ?? 1 });
  };
  const literal = (value: unknown) => JSON.stringify(value);
  const notRun = `() => { throw new Error("listed only: run the suite to evaluate it"); }`;
  emit(`import { describe, test } from "vitest";`, { line: 1 });
  emit(`describe(${literal(suite.name)}, () => {`, { line: lineOfKey(yaml, "name") });
  for (const arm of ARMS) {
    emit(`  describe(${literal(ARM_TITLES[arm])}, () => {`, { line: lineOfKey(yaml, arm) });
    for (const c of suite.cases) emit(`    test(${literal(caseTestName(c.input, c.expected))}, ${notRun});`, c.location);
    emit(`  });`, { line: lineOfKey(yaml, arm) });
  }
  emit(`  test("gate", ${notRun});`, { line: lineOfFailOn(yaml) });
  emit(`});`, { line: 1 });
  return { code: `${lines.join("\n")}\n`, map: lineSourceMap(origins, sources, contents) };
}

export function generateTestModule(payload: SuitePayload, yaml: string, assertionsModule: string): GeneratedModule {
  const sources = [payload.file];
  const contents: Array<string | null> = [yaml];
  const sourceIndex = (file: string) => {
    let index = sources.indexOf(file);
    if (index === -1) {
      index = sources.push(file) - 1;
      contents.push(null);
    }
    return index;
  };
  const lines: string[] = [];
  const origins: LineOrigin[] = [];
  const emit = (code: string, at: SourceLocation | { line: number; column?: number; file?: string }) => {
    lines.push(code);
    origins.push({ source: sourceIndex(at.file ?? payload.file), line: at.line, column: at.column ?? 1 });
  };
  const top = { line: 1 };
  const literal = (value: unknown) => JSON.stringify(value);

  emit(`import { describe, test } from "vitest";`, top);
  emit(`import { checkCase, checkGate } from ${literal(assertionsModule)};`, top);
  emit(`const suite = JSON.parse(${literal(JSON.stringify(payload))});`, top);
  emit(`describe(${literal(payload.name)}, () => {`, { line: lineOfKey(yaml, "name") });
  for (const arm of ARMS) {
    emit(`  describe(${literal(ARM_TITLES[arm])}, () => {`, { line: lineOfKey(yaml, arm) });
    payload.cases.forEach((c, index) => {
      // Async and awaited: the await keeps this line (so the YAML line) in the stack of a failure.
      emit(`    test(${literal(caseTestName(c.input, c.expected))}, async (context) => { await checkCase(context, suite, ${literal(arm)}, ${index}); });`, c.location);
    });
    emit(`  });`, { line: lineOfKey(yaml, arm) });
  }
  emit(`  test("gate", async (context) => { await checkGate(context, suite); });`, gateOrigin(payload, yaml));
  emit(`});`, top);
  return { code: `${lines.join("\n")}\n`, map: lineSourceMap(origins, sources, contents) };
}
