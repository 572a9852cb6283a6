// Worker side of a generated suite module: each test reports the result recorded for its case (or the gate)
// and fails or warns as the suite's policy says; their `meta` is declared with them (test-meta.ts). No model
// is loaded here. Nothing is imported from vitest at run time: the test context brings its own `expect`, so
// this module works with whichever Vitest runs it.
import { readFile } from "node:fs/promises";
import type { TestContext } from "vitest";
import { describePrediction } from "../report/wording.js";
import { decodeNumbers } from "../text/json-numbers.js";
import { ARM_DISPLAY, INVALID_PREDICTION, type ArmName } from "../types.js";
import type { CaseArmPayload, SuitePayload } from "./payload.js";
import { caseTestName } from "./test-names.js";

export { caseMeta, gateMeta, type TunegateTestMeta } from "./test-meta.js";

/** Reads the results the plugin recorded for a suite (see payload-files.ts), non-finite numbers restored. */
export async function loadSuitePayload(path: string): Promise<SuitePayload> {
  return decodeNumbers<SuitePayload>(JSON.parse(await readFile(path, "utf8")));
}

/** A case's test name (test-names.ts), made in the worker from the payload so the module need not carry it. */
export function caseName(suite: SuitePayload, index: number): string {
  const c = suite.cases[index]!;
  return caseTestName(c.input, c.expected);
}

function formatScores(result: CaseArmPayload): string {
  const entries = Object.entries(result.scores);
  if (entries.length === 0) return "";
  const scores = entries
    .sort(([, a], [, b]) => b - a)
    .map(([label, score]) => `${label} ${score.toFixed(2)}`)
    .join(", ");
  return `; log P: ${scores}`;
}

/**
 * A miss in one consistent order, the arm's answer first: `few-shot predicted "happy", expected "scared"`; for
 * a generation that named no label, what the model wrote (escaped, shortened).
 */
function describeMiss(arm: ArmName, expected: string, result: CaseArmPayload, why: string): string {
  const predicted = result.predicted === INVALID_PREDICTION && result.generated !== undefined ? describePrediction(result, 40) : JSON.stringify(result.predicted);
  return `${ARM_DISPLAY[arm]} predicted ${predicted}, expected ${JSON.stringify(expected)} (${why})${formatScores(result)}`;
}

/** A failure that carries only tunegate's message: no second "expected X to be Y" that reads the other way round. */
class CaseMissed extends Error {
  override name = "CaseMissed";
}

export async function checkCase(context: TestContext, suite: SuitePayload, arm: ArmName, index: number): Promise<void> {
  const c = suite.cases[index]!;
  const result = c.arms[arm];
  if (result.correct) return;
  // A shard decides nothing: its misses fail or pass the suite when `tunegate merge` has every shard's cases.
  if (suite.shard) return;
  if (c.must || suite.misses === "fail") throw new CaseMissed(describeMiss(arm, c.expected, result, c.must ? "a must case" : "misses: fail"));
  await context.annotate(describeMiss(arm, c.expected, result, "misses: warn; a must case or misses: fail would fail this test"), "warning");
}

export async function checkGate(context: TestContext, suite: SuitePayload): Promise<void> {
  const { gate } = suite;
  if (gate === null) return;
  // The cause first, then the verdict's sentence.
  if (gate.outcome === "fail") throw new Error(`${gate.headline}\n${gate.reason}`);
  if (gate.outcome === "warn") await context.annotate(`${gate.headline}\n${gate.reason}`, "warning");
}
