// Batched evaluation (several cases per decode, the prefix's KV state copied between sequences) must give the
// same predictions and scores as one case at a time, on every bundled model and, when present, on the real
// third-party models in ../shared/models (whose labels take several tokens, so label steps are batched too).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createLocalEngine } from "../../src/engine/local/local-engine.js";
import { loadStorySuite } from "../helpers/story-suite.js";
import type { Suite, SuiteRun } from "../../src/types.js";
import { adapterFileNameFor, buildAdapterFor } from "../../tools/forge/adapter-for.js";
import { forgeDemo, loadDemoSuite, SHARED_MODELS, temporaryDir, writeGguf } from "../helpers/forged.js";

const dir = temporaryDir();
const engine = createLocalEngine();
afterAll(() => engine.dispose());
const saved = process.env.TUNEGATE_SEQUENCES;
afterEach(() => {
  if (saved === undefined) delete process.env.TUNEGATE_SEQUENCES;
  else process.env.TUNEGATE_SEQUENCES = saved;
});

async function runWith(suite: Suite, sequences: number): Promise<SuiteRun> {
  process.env.TUNEGATE_SEQUENCES = String(sequences);
  return engine.runSuite(suite, { threads: 1, parallelArms: false });
}

/**
 * Batched decodes multiply matrices of other shapes, so scores agree to float noise, not bit for bit (measured:
 * mostly below 1e-5, at most 1e-3 on a label path of stories260K, the same at 2, 4 and 8 sequences).
 */
const TOLERANCE = 2e-3;

const largestDifference = (a: Record<string, number>, b: Record<string, number>, labels: readonly string[]) =>
  Math.max(...labels.map((label) => Math.abs(a[label]! - b[label]!)));

/** Runs the suite one case at a time and batched at each of `batched`, and compares every case and label. */
async function expectSameAsOneAtATime(suite: Suite, batched: number[]): Promise<void> {
  const alone = await runWith(suite, 1);
  for (const sequences of batched) {
    const run = await runWith(suite, sequences);
    for (const arm of ["few_shot", "lora"] as const) {
      const one = alone.arms[arm];
      const many = run.arms[arm];
      expect(many.cases.map((c) => c.predicted), `${arm} at ${sequences} sequences`).toEqual(one.cases.map((c) => c.predicted));
      many.cases.forEach((c, i) => {
        expect(largestDifference(c.scores, one.cases[i]!.scores, suite.labels), `${arm} case ${i + 1} at ${sequences} sequences`).toBeLessThan(TOLERANCE);
      });
      // The prefix is evaluated once whatever the batching: tokens stay at the minimum.
      expect(many.tokensMinimum).toBe(one.tokensMinimum);
      expect(many.tokensEvaluated).toBeLessThanOrEqual(1.05 * many.tokensMinimum);
    }
  }
}

describe("batched evaluation equals one case at a time", () => {
  it("on the forged demo pair (45 cases; full and partial rounds)", { timeout: 120_000 }, async () => {
    const forged = forgeDemo();
    await expectSameAsOneAtATime(await loadDemoSuite(forged), [8, 7]);
  });

  it("on the forged demo pair with repeated inputs (near-duplicates run as a chain on one sequence)", { timeout: 120_000 }, async () => {
    const forged = forgeDemo();
    const suite = await loadDemoSuite(forged);
    // As the bench suite grows: inputs again with a tail, and one exact repeat.
    const again = suite.cases.slice(0, 12).map((c, i) => ({ ...c, index: suite.cases.length + i, input: i === 0 ? c.input : `${c.input} (message 2)` }));
    const cases = [...suite.cases, ...again];
    // Within 1.05x the minimum (checked there) only if each repeat's input is evaluated once: evaluated again,
    // the 12 repeats put the few-shot arm at 1.15x (769 of 669, measured with the rounds sorted by length alone).
    await expectSameAsOneAtATime({ ...suite, cases }, [4, 8]);
  });

  for (const file of ["stories260K.gguf", "llama-2-tiny-random.gguf"]) {
    const model = join(SHARED_MODELS, file);
    it.skipIf(!existsSync(model))(`on ${file} (multi-token labels)`, { timeout: 120_000 }, async () => {
      const adapter = writeGguf(join(dir, adapterFileNameFor(model)), await buildAdapterFor(model));
      const inputs = [
        "The boy got a new toy.",
        "The bird hurt its wing and could not fly home before the night came.",
        "Mom baked a big cake.",
        "The dog was alone in the rain.",
        "Sam won.",
        "The little girl dropped her ice cream on the hot road and nobody helped her.",
        "Ben and his dad went fishing at the lake and caught three fish.",
        "The toy broke.",
        "Anna saw a rainbow.",
        "The kitten could not find its mother anywhere in the big house.",
      ];
      const labels = ["happy", "sad", "angry"];
      const suite = await loadStorySuite(
        {
          model,
          adapter,
          labels,
          examples: [["Lily found a puppy and smiled.", "happy"], ["Tom lost his red ball and cried.", "sad"], ["Max kicked the door.", "angry"]],
          cases: inputs.map((input, i) => [input, labels[i % 3]!] as const),
        },
        dir,
        `${file}.cases.yaml`,
      );
      await expectSameAsOneAtATime(suite, [4, 8]);
    });
  }
});
