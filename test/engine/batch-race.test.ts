// The rule that makes batched evaluation safe, checked on node-llama-cpp's public API alone (bench/race-repro.ts):
// several sequences issued in one tick with token counts in random order now and then read each other's
// next-token distributions; issued in sequence-id order with non-decreasing counts, never. If a node-llama-cpp
// upgrade fixes the race, the first test fails and rounds.ts's rule can be relaxed; if the rule stops
// protecting, the second fails. Needs a libuv pool of two or more threads (Vitest's workers have the default).
import { getLlama, type Llama, type LlamaModel } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { measureRace } from "../../bench/race-repro.js";
import { threadPoolSize } from "../../src/engine/local/threads.js";
import { forgeDemo } from "../helpers/forged.js";

const forged = forgeDemo();
let llama: Llama;
let model: LlamaModel;

beforeAll(async () => {
  llama = await getLlama({ gpu: false, build: "never" });
  model = await llama.loadModel({ modelPath: forged.base });
});
afterAll(async () => {
  await model?.dispose();
  await llama?.dispose();
});

describe("several sequences in one decode (node-llama-cpp 3.21.1)", () => {
  it("runs where the race can happen: a libuv pool of more than one thread", () => {
    expect(threadPoolSize()).toBeGreaterThan(1);
  });

  it("with token counts in random order, some sequence reads another's distribution", { timeout: 120_000 }, async () => {
    const outcome = await measureRace(model, { sequences: 8, rounds: 1500, order: "unsorted", stopAtFirstWrong: true });
    expect(outcome.wrong, `no wrong row in ${outcome.rows} rows: has the race been fixed upstream?`).toBeGreaterThan(0);
  });

  it("with counts non-decreasing in sequence-id order, no sequence ever does", { timeout: 120_000 }, async () => {
    const outcome = await measureRace(model, { sequences: 8, rounds: 150, order: "sorted" });
    expect(outcome.rows).toBe(1200);
    expect(outcome.wrong).toBe(0);
  });
});
