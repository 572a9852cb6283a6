// The result cache's key, exhaustively: every input that can change a case's result changes its key, in the
// arm it affects and only for the cases it affects; everything that only reads results leaves every key alone.
import { beforeAll, describe, expect, it } from "vitest";
import { suiteKeys, type SuiteKeys } from "../../src/cache/caching-engine.js";
import { caseKey, type CaseKeyInputs } from "../../src/cache/key.js";
import type { EngineDescription } from "../../src/engine/engine.js";
import type { Suite } from "../../src/types.js";
import { loadDemoSuite } from "../helpers/forged.js";

const ENGINE: EngineDescription = { kind: "local", runtime: "node-llama-cpp", version: "3.21.1", backend: "cpu" };
const HASHES = { fewShotModel: "a".repeat(64), loraModel: "a".repeat(64), adapter: "b".repeat(64) };

const BASE: CaseKeyInputs = {
  engine: ENGINE,
  arm: "lora",
  modelSha256: "a".repeat(64),
  adapter: { sha256: "b".repeat(64), scale: 1 },
  scoring: "logprob",
  lengthNormalize: false,
  maxGeneratedTokens: 10,
  labels: ["billing", "bug", "praise"],
  prompt: "Message: the app crashes\nCategory:",
};

describe("caseKey", () => {
  it("is 64 hex digits and the same for the same inputs", () => {
    expect(caseKey(BASE)).toMatch(/^[0-9a-f]{64}$/);
    expect(caseKey({ ...BASE, labels: [...BASE.labels], engine: { ...ENGINE } })).toBe(caseKey(BASE));
  });

  const changes: Array<[string, Partial<CaseKeyInputs>]> = [
    ["engine kind", { engine: { ...ENGINE, kind: "remote" as EngineDescription["kind"] } }],
    ["engine runtime", { engine: { ...ENGINE, runtime: "llama-server" } }],
    ["engine version", { engine: { ...ENGINE, version: "3.21.2" } }],
    ["engine backend", { engine: { ...ENGINE, backend: "cuda (NVIDIA H200)" } }],
    ["a field an engine adds to its description", { engine: { ...ENGINE, model: "served-model" } as EngineDescription }],
    ["arm", { arm: "few_shot" }],
    ["model content", { modelSha256: "c".repeat(64) }],
    ["adapter content", { adapter: { sha256: "d".repeat(64), scale: 1 } }],
    ["adapter scale", { adapter: { sha256: "b".repeat(64), scale: 0.5 } }],
    ["no adapter", { adapter: undefined }],
    ["scoring mode", { scoring: "generate" }],
    ["length normalisation (logprob)", { lengthNormalize: true }],
    ["a label renamed", { labels: ["billing", "bug", "compliment"] }],
    ["a label added", { labels: ["billing", "bug", "praise", "other"] }],
    ["a label removed", { labels: ["billing", "bug"] }],
    ["the label order", { labels: ["bug", "billing", "praise"] }],
    ["the prompt", { prompt: "Message: the app crashes!\nCategory:" }],
    ["trailing whitespace in the prompt", { prompt: "Message: the app crashes\nCategory: " }],
    ["the prompt's letter case", { prompt: "message: the app crashes\nCategory:" }],
  ];
  it.each(changes)("changes with the %s", (_, change) => {
    expect(caseKey({ ...BASE, ...change })).not.toBe(caseKey(BASE));
  });

  it("changes with maxGeneratedTokens in generate mode only, and with length normalisation in logprob mode only", () => {
    const generate = { ...BASE, scoring: "generate" as const };
    expect(caseKey({ ...generate, maxGeneratedTokens: 11 })).not.toBe(caseKey(generate));
    expect(caseKey({ ...BASE, maxGeneratedTokens: 11 })).toBe(caseKey(BASE));
    expect(caseKey({ ...generate, lengthNormalize: true })).toBe(caseKey(generate));
  });

  it("keeps inputs apart that a plain concatenation would join (labels vs prompt, label boundaries)", () => {
    expect(caseKey({ ...BASE, labels: ["a,b"] })).not.toBe(caseKey({ ...BASE, labels: ["a", "b"] }));
    expect(caseKey({ ...BASE, labels: ["x"], prompt: "yz" })).not.toBe(caseKey({ ...BASE, labels: ["xy"], prompt: "z" }));
  });

  it("gives every one of the changes above a different key from each other", () => {
    const keys = new Set(changes.map(([, change]) => caseKey({ ...BASE, ...change })));
    expect(keys.size).toBe(changes.length);
  });
});

describe("suiteKeys on the demo suite", () => {
  let suite: Suite;
  let keys: SuiteKeys;
  const keysOf = (changed: Suite, hashes = HASHES, maxGeneratedTokens?: number): SuiteKeys =>
    suiteKeys(changed, ENGINE, hashes, maxGeneratedTokens === undefined ? {} : { maxGeneratedTokens });
  /** Which cases' keys differ from the unchanged suite's, per arm. */
  const changedCases = (other: SuiteKeys) => ({
    few_shot: other.few_shot.flatMap((key, i) => (key === keys.few_shot[i] ? [] : [i])),
    lora: other.lora.flatMap((key, i) => (key === keys.lora[i] ? [] : [i])),
  });
  const all = () => suite.cases.map((_, i) => i);

  beforeAll(async () => {
    suite = await loadDemoSuite({ base: "/models/base.gguf", lora: "/models/lora.gguf" });
    keys = keysOf(suite);
  });

  it("gives every case and arm its own key", () => {
    expect(new Set([...keys.few_shot, ...keys.lora]).size).toBe(2 * suite.cases.length);
  });

  it("leaves every key alone when only what reads results changes: volume, cost, gate, misses, expected labels, must, names, places", () => {
    const unchanged: Suite[] = [
      { ...suite, volume: { callsPerDay: 7 } },
      { ...suite, cost: undefined },
      { ...suite, cost: { currency: "EUR", fewShot: { inputPerMillion: 9, outputPerMillion: 9 }, lora: { inputPerMillion: 1, outputPerMillion: 1 }, fineTuneOneOff: 1 } },
      { ...suite, gate: { withinPoints: 1, loraWinsPoints: 2, volumeThreshold: 3, failOn: "never" } },
      { ...suite, misses: suite.misses === "warn" ? "fail" : "warn" },
      { ...suite, name: "another name", file: "/elsewhere/x.cases.yaml" },
      { ...suite, cases: suite.cases.map((c) => ({ ...c, expected: suite.labels.find((l) => l !== c.expected)!, must: !c.must, location: { ...c.location, line: c.location.line + 5 } })) },
      // The model files' paths: the key has their content.
      { ...suite, fewShot: { ...suite.fewShot, model: { ...suite.fewShot.model, path: "/moved/base.gguf" } } },
    ];
    for (const changed of unchanged) expect(keysOf(changed)).toEqual(keys);
  });

  it("changes one case's keys, in both arms, when only that case's input changes", () => {
    const edited = { ...suite, cases: suite.cases.map((c, i) => (i === 3 ? { ...c, input: `${c.input} (edited)` } : c)) };
    expect(changedCases(keysOf(edited))).toEqual({ few_shot: [3], lora: [3] });
  });

  it("keeps a case's keys when cases are added, removed or reordered around it", () => {
    const reordered = { ...suite, cases: [...suite.cases].reverse() };
    expect(keysOf(reordered).lora).toEqual([...keys.lora].reverse());
    const fewer = { ...suite, cases: suite.cases.slice(5) };
    expect(keysOf(fewer).few_shot).toEqual(keys.few_shot.slice(5));
  });

  it("changes every few-shot key, and no LoRA key, with the few-shot prompt or its model", () => {
    const fewShotOnly = { few_shot: all(), lora: [] };
    const first = suite.fewShot.examples[0]!;
    const variants: Suite[] = [
      { ...suite, fewShot: { ...suite.fewShot, role: `${suite.fewShot.role} indeed` } },
      { ...suite, fewShot: { ...suite.fewShot, task: `${suite.fewShot.task} carefully` } },
      { ...suite, fewShot: { ...suite.fewShot, format: `${suite.fewShot.format} only` } },
      { ...suite, fewShot: { ...suite.fewShot, inputPrefix: "Text" } },
      { ...suite, fewShot: { ...suite.fewShot, outputPrefix: "Label" } },
      { ...suite, fewShot: { ...suite.fewShot, examples: [{ ...first, input: `${first.input}!` }, ...suite.fewShot.examples.slice(1)] } },
      { ...suite, fewShot: { ...suite.fewShot, examples: [{ ...first, output: suite.labels.find((l) => l !== first.output)! }, ...suite.fewShot.examples.slice(1)] } },
      { ...suite, fewShot: { ...suite.fewShot, examples: suite.fewShot.examples.slice(1) } },
      { ...suite, fewShot: { ...suite.fewShot, template: "Classify.\n{examples}\nMessage: {input}\nCategory:" } },
    ];
    for (const changed of variants) expect(changedCases(keysOf(changed))).toEqual(fewShotOnly);
    expect(changedCases(keysOf(suite, { ...HASHES, fewShotModel: "e".repeat(64) }))).toEqual(fewShotOnly);
  });

  it("changes every LoRA key, and no few-shot key, with the LoRA template, scale, adapter or LoRA model", () => {
    const loraOnly = { few_shot: [], lora: all() };
    expect(changedCases(keysOf({ ...suite, lora: { ...suite.lora, template: `Q: ${suite.lora.template}` } }))).toEqual(loraOnly);
    expect(changedCases(keysOf({ ...suite, lora: { ...suite.lora, scale: suite.lora.scale / 2 } }))).toEqual(loraOnly);
    expect(changedCases(keysOf(suite, { ...HASHES, adapter: "f".repeat(64) }))).toEqual(loraOnly);
    expect(changedCases(keysOf(suite, { ...HASHES, loraModel: "f".repeat(64) }))).toEqual(loraOnly);
  });

  it("changes every key with the labels, the scoring mode or length normalisation", () => {
    const everything = { few_shot: all(), lora: all() };
    expect(changedCases(keysOf({ ...suite, labels: [...suite.labels].reverse() }))).toEqual(everything);
    expect(changedCases(keysOf({ ...suite, labels: [...suite.labels, "other"] }))).toEqual(everything);
    expect(changedCases(keysOf({ ...suite, scoring: "generate" }))).toEqual(everything);
    expect(changedCases(keysOf({ ...suite, lengthNormalize: !suite.lengthNormalize }))).toEqual(everything);
  });

  it("changes every key with the engine's description", () => {
    expect(changedCases(suiteKeys(suite, { ...ENGINE, version: "9.9.9" }, HASHES))).toEqual({ few_shot: all(), lora: all() });
  });

  it("reads maxGeneratedTokens in generate mode only (default 10)", () => {
    const generate = { ...suite, scoring: "generate" as const };
    const generateKeys = keysOf(generate);
    expect(keysOf(generate, HASHES, 10)).toEqual(generateKeys);
    expect(keysOf(generate, HASHES, 12).lora.some((key, i) => key === generateKeys.lora[i])).toBe(false);
    expect(keysOf(suite, HASHES, 12)).toEqual(keys);
  });
});
