// The engine on real third-party GGUF files (../shared/models), with adapters from the forge's --adapter-for.
// These models were not written by tunegate: they prove the engine is not tied to its own forged files.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { adapterFileNameFor, buildAdapterFor } from "../../tools/forge/adapter-for.js";
import { createLocalEngine } from "../../src/engine/local/local-engine.js";
import { INVALID_PREDICTION, type Suite } from "../../src/types.js";
import { SHARED_MODELS, temporaryDir, writeGguf } from "../helpers/forged.js";
import { loadStorySuite } from "../helpers/story-suite.js";

const dir = temporaryDir();
const engine = createLocalEngine();
afterAll(() => engine.dispose());

async function storySuite(model: string, labels: string[], scoring = "logprob", extra = ""): Promise<Suite> {
  const adapter = writeGguf(join(dir, adapterFileNameFor(model)), await buildAdapterFor(model));
  const [first, second] = [labels[0]!, labels[1]!];
  return loadStorySuite(
    {
      model,
      adapter,
      labels,
      examples: [["Lily found a puppy and smiled.", first], ["Tom lost his red ball and cried.", second], ["The cat got a fish and purred.", first]],
      cases: [["The boy got a new toy.", first], ["The bird hurt its wing.", second], ["Mom baked a big cake.", first], ["The dog was alone in the rain.", second]],
      scoring,
      extra,
    },
    dir,
  );
}

const stories = join(SHARED_MODELS, "stories260K.gguf");
const tinyRandom = join(SHARED_MODELS, "llama-2-tiny-random.gguf");

describe.skipIf(!existsSync(stories))("stories260K.gguf (karpathy/llama2.c, 512-token SPM vocabulary)", () => {
  it("runs both arms, with multi-token labels scored token by token", async () => {
    const suite = await storySuite(stories, ["happy", "sad"]);
    const run = await engine.runSuite(suite, { threads: 1 });
    for (const arm of [run.arms.few_shot, run.arms.lora]) {
      expect(arm.cases).toHaveLength(4);
      expect(arm.multiTokenLabels.length).toBeGreaterThan(0);
      for (const c of arm.cases) {
        expect(suite.labels).toContain(c.predicted);
        for (const label of suite.labels) expect(c.scores[label]).toBeLessThan(0);
      }
      expect(arm.tokensEvaluated).toBeLessThanOrEqual(1.1 * arm.tokensMinimum);
    }
    const differs = run.arms.few_shot.cases.some((c, i) => c.scores.happy !== run.arms.lora.cases[i]!.scores.happy);
    expect(differs).toBe(true);
  });

  it("length normalisation averages over the label's tokens", async () => {
    const summed = await engine.runSuite(await storySuite(stories, ["happy", "sad"]), { threads: 1 });
    const averaged = await engine.runSuite(await storySuite(stories, ["happy", "sad"], "logprob", "length_normalize: true"), { threads: 1 });
    const multi = summed.arms.few_shot.multiTokenLabels[0]!;
    const ratio = summed.arms.few_shot.cases[0]!.scores[multi]! / averaged.arms.few_shot.cases[0]!.scores[multi]!;
    // The summed score is the mean times the label's token count: a whole number of at least 2.
    expect(ratio).toBeCloseTo(Math.round(ratio), 6);
    expect(Math.round(ratio)).toBeGreaterThanOrEqual(2);
  });

  it("generate mode never maps story text onto a label", async () => {
    const run = await engine.runSuite(await storySuite(stories, ["happy", "sad"], "generate"), { threads: 1 });
    for (const c of [...run.arms.few_shot.cases, ...run.arms.lora.cases]) {
      const firstWord = (c.generated ?? "").trim().split(/\s+/)[0]!.toLowerCase().replace(/^\p{P}+|\p{P}+$/gu, "");
      expect(c.predicted).toBe(["happy", "sad"].includes(firstWord) ? firstWord : INVALID_PREDICTION);
      expect(c.outputTokens).toBeGreaterThan(0);
      expect(c.outputTokens).toBeLessThanOrEqual(10);
    }
  });
});

describe.skipIf(!existsSync(tinyRandom))("llama-2-tiny-random.gguf (32,000-token llama-2 vocabulary)", () => {
  it("runs both arms", async () => {
    const run = await engine.runSuite(await storySuite(tinyRandom, ["positive", "negative"]), { threads: 1 });
    expect(run.arms.few_shot.cases).toHaveLength(4);
    expect(run.arms.lora.cases).toHaveLength(4);
  });
});

if (!existsSync(stories)) console.warn(`skipped: ${stories} is absent (the real third-party models live outside the repository)`);
