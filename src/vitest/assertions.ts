// Worker side of a generated suite module: each test reports the result recorded for its case (or the gate)
// and fails or warns as the suite's policy says; their `meta` is declared with them (test-meta.ts). No model
// is loaded here. Nothing is imported from vitest at run time: the test context brings its own `expect`, so
// this module works with whichever Vitest runs it.
import { readFile } from "node:fs/promises";
import type { TestContext } from "vitest";
import { decodeNumbers } from "../text/json-numbers.js";
import { ARM_DISPLAY, type ArmName } from "../types.js";
import type { CaseArmPayload, SuitePayload } from "./payload.js";

export { caseMeta, gateMeta, type TunegateTestMeta } from "./test-meta.js";

/** Reads the results the plugin recorded for a suite (see payload-files.ts), non-finite numbers restored. */
export async function loadSuitePayload(path: string): Promise<SuitePayload> {
  return decodeNumbers<SuitePayload>(JSON.parse(await readFile(path, "utf8")));
}

const NAME_WIDTH = 60;

/**
 * A case's test name: its input on one line, shortened, then the expected label, and for a miss what was
 * predicted. Results are known when the module runs, so a miss that only warns (and so passes) is still
 * visible in every reporter's list of tests, and `vitest -t missed` selects the misses.
 */
export function caseTestName(suite: SuitePayload, arm: ArmName, index: number): string {
  const c = suite.cases[index]!;
  const predicted = c.arms[arm].predicted;
  const oneLine = c.input.replace(/\s+/g, " ").trim();
  const short = oneLine.length > NAME_WIDTH ? `${oneLine.slice(0, NAME_WIDTH - 1)}…` : oneLine;
  return predicted === c.expected ? `${short} → ${c.expected}` : `${short} → ${c.expected} (missed: ${predicted})`;
}

function formatScores(result: CaseArmPayload): string {
  const entries = Object.entries(result.scores);
  if (entries.length === 0) return result.generated === undefined ? "" : `; the model wrote ${JSON.stringify(result.generated)}`;
  const scores = entries
    .sort(([, a], [, b]) => b - a)
    .map(([label, score]) => `${label} ${score.toFixed(2)}`)
    .join(", ");
  return `; log P: ${scores}`;
}

export async function checkCase(context: TestContext, suite: SuitePayload, arm: ArmName, index: number): Promise<void> {
  const c = suite.cases[index]!;
  const result = c.arms[arm];
  if (result.correct) return;
  const miss = `${ARM_DISPLAY[arm]} missed: expected "${c.expected}", predicted "${result.predicted}"${formatScores(result)}`;
  if (c.must || suite.misses === "fail") {
    const why = c.must ? "a must case" : "misses: fail";
    context.expect(result.predicted, `${miss} (${why})`).toBe(c.expected);
  }
  await context.annotate(`${miss} (misses: warn; a must case or misses: fail would fail this test)`, "warning");
}

export async function checkGate(context: TestContext, suite: SuitePayload): Promise<void> {
  const { gate } = suite;
  if (gate.outcome === "fail") {
    throw new Error(`gate failed (${gate.verdict}, fail_on: ${gate.failOn}): ${gate.reason}`);
  }
  if (gate.outcome === "warn") await context.annotate(`gate warns (${gate.verdict}): ${gate.reason}`, "warning");
}
