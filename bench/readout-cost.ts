// What reading one next-token distribution costs, by readout: node dist/bench/readout-cost.js [MODEL.gguf].
// One token is evaluated after a 100-token prompt (one thread, one sequence) 15 times per readout and the median
// printed, with how many tokens came back and how far their log-probabilities are from the full distribution's,
// and how much of it node-llama-cpp's `sampleToken` took, from its call until its promise resolved: the native
// sort and softmax on a pool thread plus, for a returned distribution, building its array on the main thread.
// (That split wraps node-llama-cpp's internal addon object, `context._ctx`, as profile.ts does: a diagnostic.)
// bench/README.md ("The readout") explains why only the full readout gives absolute log P(label | prompt).
import { fileURLToPath } from "node:url";
import { getLlama, type LlamaContextSequence, type Token } from "node-llama-cpp";
import { isProbabilityDistribution } from "../src/engine/local/scoring.js";
import { median } from "./median.js";
import { timeMethod } from "./timed-method.js";

type Input = Parameters<LlamaContextSequence["controlledEvaluate"]>[0];
type GenerateNext = { probabilities?: boolean; confidence?: boolean; token?: boolean; options?: Record<string, number> };

const READOUTS: Record<string, GenerateNext | null> = {
  "decode only": null,
  "full distribution": { probabilities: true },
  "min-p 1e-9, temperature 1": { probabilities: true, options: { temperature: 1, topK: 0, topP: 1, minP: 1e-9, seed: 1 } },
  "confidence only, greedy": { confidence: true, token: true },
  "top-k 4, temperature 1": { probabilities: true, options: { temperature: 1, topK: 4, topP: 1, minP: 0, seed: 1 } },
};

const root = fileURLToPath(new URL("../..", import.meta.url));
const modelPath = process.argv[2] ?? `${root}.cache/models/bench-base.gguf`;
const llama = await getLlama({ gpu: false, build: "never" });
const model = await llama.loadModel({ modelPath });
const context = await model.createContext({ contextSize: 256, sequences: 1, threads: 1, batchSize: 512 });
try {
  const sequence = context.getSequence();
  const sampleTimes: number[] = [];
  timeMethod((context as unknown as { _ctx: object })._ctx, "sampleToken", (start, end) => sampleTimes.push(end - start));
  // Token ids 100..3099: inside every vocabulary this repository's models have (the demo model's is 3,202).
  const prompt = Array.from({ length: 100 }, (_, i) => (100 + ((31 + i * 7) % 3000)) as Token);
  await sequence.controlledEvaluate(prompt);
  let full: Map<Token, number> | undefined;
  for (const [name, generateNext] of Object.entries(READOUTS)) {
    const times: number[] = [];
    sampleTimes.length = 0;
    let next: { probabilities?: Map<Token, number>; confidence?: number } | undefined;
    for (let i = 0; i < 15; i++) {
      await sequence.eraseContextTokenRanges([{ start: prompt.length - 1, end: sequence.nextTokenIndex }]);
      const last = prompt.at(-1)!;
      const started = performance.now();
      const output = await sequence.controlledEvaluate((generateNext ? [[last, { generateNext }]] : [last]) as Input);
      times.push(performance.now() - started);
      next = output[0]?.next as typeof next;
    }
    const probabilities = next?.probabilities;
    if (name === "full distribution") {
      full = probabilities;
      // What the engine's own check that a read is a distribution adds: the check itself, timed.
      const passes: number[] = [];
      for (let i = 0; i < 15 && probabilities; i++) {
        const started = performance.now();
        const valid = isProbabilityDistribution(probabilities);
        passes.push(performance.now() - started);
        if (!valid) throw new Error("the full distribution is not a probability distribution");
      }
      console.log(`the engine's distribution check over ${probabilities?.size ?? 0} values: ${median(passes).toFixed(2)} ms`);
    }
    let detail = "";
    if (probabilities) {
      let furthest = 0;
      for (const [token, p] of probabilities) furthest = Math.max(furthest, Math.abs(Math.log(p) - Math.log(full?.get(token) ?? p)));
      detail = `, ${probabilities.size} tokens back, largest |log p - full's| ${furthest.toExponential(2)}`;
    } else if (next?.confidence !== undefined) detail = `, confidence ${next.confidence.toExponential(3)}`;
    const sampled = sampleTimes.length > 0 ? ` (sampleToken ${median(sampleTimes).toFixed(2)} ms)` : "";
    console.log(`${name}: ${median(times).toFixed(2)} ms${sampled}${detail}`);
  }
} finally {
  await context.dispose();
  await model.dispose();
  await llama.dispose();
}
