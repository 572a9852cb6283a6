// Turns an evaluated suite into a Vitest test module: describe(suite) → describe("few-shot") / describe("lora")
// → one test per case, named by its input and expected label, plus a final gate test. Every generated line
// maps back to the YAML (or cases-file) line it stands for.
import { encodeNumbers } from "../text/json-numbers.js";
import { ARM_DISPLAY, ARMS, type ArmName, type SourceLocation } from "../types.js";
import type { SuitePayload } from "./payload.js";
import { lineSourceMap, type LineOrigin, type SourceMapV3 } from "./source-map.js";

// Test names keep the lower-case spelling they have always had, so `vitest -t` filters and CI histories still match.
export const ARM_TITLES = Object.fromEntries(ARMS.map((arm) => [arm, ARM_DISPLAY[arm].toLowerCase()])) as Record<ArmName, string>;
const NAME_WIDTH = 60;

/**
 * A case's test name: its input on one line, shortened, then the expected label, and for a miss what was
 * predicted. Results are known when the module is generated, so a miss that only warns (and so passes) is
 * still visible in every reporter's list of tests, and `vitest -t missed` selects the misses.
 */
export function caseTestName(input: string, expected: string, predicted: string): string {
  const oneLine = input.replace(/\s+/g, " ").trim();
  const short = oneLine.length > NAME_WIDTH ? `${oneLine.slice(0, NAME_WIDTH - 1)}…` : oneLine;
  return predicted === expected ? `${short} → ${expected}` : `${short} → ${expected} (missed: ${predicted})`;
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
  emit(`import { caseMeta, checkCase, checkGate, gateMeta, readPayload } from ${literal(assertionsModule)};`, top);
  emit(`const suite = readPayload(${literal(JSON.stringify(encodeNumbers(payload)))});`, top);
  emit(`describe(${literal(payload.name)}, () => {`, { line: lineOfKey(yaml, "name") });
  for (const arm of ARMS) {
    emit(`  describe(${literal(ARM_TITLES[arm])}, () => {`, { line: lineOfKey(yaml, arm) });
    payload.cases.forEach((c, index) => {
      // Async and awaited: the await keeps this line (so the YAML line) in the stack of a failure.
      emit(`    test(${literal(caseTestName(c.input, c.expected, c.arms[arm].predicted))}, { meta: caseMeta(suite, ${literal(arm)}, ${index}) }, async (context) => { await checkCase(context, suite, ${literal(arm)}, ${index}); });`, c.location);
    });
    emit(`  });`, { line: lineOfKey(yaml, arm) });
  }
  emit(`  test("gate", { meta: gateMeta(suite) }, async (context) => { await checkGate(context, suite); });`, { line: lineOfKey(yaml, "gate") });
  emit(`});`, top);
  return { code: `${lines.join("\n")}\n`, map: lineSourceMap(origins, sources, contents) };
}
