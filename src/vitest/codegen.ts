// Turns an evaluated suite into a Vitest test module: describe(suite) → describe("few-shot") / describe("lora")
// → one test per case, named by its input and expected label, plus a final gate test. Every generated line
// maps back to the YAML (or cases-file) line it stands for; the gate test to the line that decided it.
import { ARM_DISPLAY, ARMS, type ArmName, type SourceLocation } from "../types.js";
import type { SuitePayload } from "./payload.js";
import { caseTestName } from "./test-names.js";
import { lineSourceMap, type LineOrigin, type SourceMapV3 } from "./source-map.js";

// Test names keep the lower-case spelling they have always had, so `vitest -t` filters and CI histories still match.
export const ARM_TITLES = Object.fromEntries(ARMS.map((arm) => [arm, ARM_DISPLAY[arm].toLowerCase()])) as Record<ArmName, string>;

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
  const firstMiss = payload.gate?.mustMisses[0];
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

/**
 * The module's text is a few dozen bytes per test and holds no results: Vite parses and source-maps every line
 * it serves, so what each line costs is paid once per case in Vitest's main process. The results are read by
 * the worker from `payloadFile`; names are made there too, from the same payload.
 */
export function generateTestModule(payload: SuitePayload, payloadFile: string, yaml: string, assertionsModule: string): GeneratedModule {
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

  // Namespace imports read into local names once: Vite rewrites every use of an imported binding, and these
  // names are used on every line.
  emit(`import * as vitest from "vitest";`, top);
  emit(`import * as tunegate from ${literal(assertionsModule)};`, top);
  emit(`const { describe, test } = vitest, { caseMeta, checkCase, checkGate, gateMeta } = tunegate;`, top);
  emit(`const suite = await tunegate.loadSuitePayload(${literal(payloadFile)});`, top);
  emit(`const name = (index) => tunegate.caseName(suite, index);`, top);
  emit(`const options = (arm, index) => ({ meta: caseMeta(suite, arm, index) });`, top);
  emit(`describe(suite.name, () => {`, { line: lineOfKey(yaml, "name") });
  for (const arm of ARMS) {
    emit(`  const ${ARM_CONSTANT[arm]} = ${literal(arm)};`, { line: lineOfKey(yaml, arm) });
    emit(`  describe(${literal(ARM_TITLES[arm])}, () => {`, { line: lineOfKey(yaml, arm) });
    payload.cases.forEach((c, index) => {
      // checkCase is called and awaited right here, so a failure's stack has this line (so the YAML line) in it.
      const a = ARM_CONSTANT[arm];
      emit(`    test(name(${index}), options(${a}, ${index}), async (context) => { await checkCase(context, suite, ${a}, ${index}); });`, c.location);
    });
    emit(`  });`, { line: lineOfKey(yaml, arm) });
  }
  // A shard's test carries the suite's constants as the gate test does, but decides nothing: its name says so.
  const gateName = payload.shard ? `shard ${payload.shard.index}/${payload.shard.count} (no verdict: tunegate merge decides)` : "gate";
  emit(`  test(${literal(gateName)}, { meta: gateMeta(suite) }, async (context) => { await checkGate(context, suite); });`, gateOrigin(payload, yaml));
  emit(`});`, top);
  return { code: `${lines.join("\n")}\n`, map: lineSourceMap(origins, sources, contents) };
}

const ARM_CONSTANT = Object.fromEntries(ARMS.map((arm, i) => [arm, `arm${i}`])) as Record<ArmName, string>;
