// The forge as users and CI run it (`npm run forge -- ...`), and its demo models inside real llama.cpp.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { getLlama, type LlamaModel, type Token } from "node-llama-cpp";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { forge } from "../../tools/forge/cli.js";
import { readDemoCorpus } from "../../tools/forge/demo-corpus.js";
import { buildDemoModel, DEMO_KEYWORDS, DEMO_LABELS } from "../../tools/forge/demo-model.js";
import { gguf, GgmlTensorType } from "../../tools/forge/gguf-writer.js";
import { WORD_PATTERN } from "../../tools/forge/spm-vocab.js";
import { createLocalEngine } from "../../src/engine/local/local-engine.js";
import { SHARED_MODELS, temporaryDir, writeGguf } from "../helpers/forged.js";

const dir = temporaryDir();
const engine = createLocalEngine();
afterAll(() => engine.dispose());

/** Runs the forge CLI in-process and captures what it prints. */
async function runForge(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void out.push(a.join(" ")));
  vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void err.push(a.join(" ")));
  const code = await forge(argv);
  vi.restoreAllMocks();
  return { code, out: out.join("\n"), err: err.join("\n") };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("npm run forge", () => {
  it("writes the demo pair, byte-for-byte the same every time, in well under a second", async () => {
    const first = join(dir, "one");
    const second = join(dir, "two");
    const started = performance.now();
    expect((await runForge("--out", first)).code).toBe(0);
    const elapsed = performance.now() - started;
    expect((await runForge("--out", second)).code).toBe(0);
    for (const name of ["demo-base.gguf", "demo-lora.gguf"]) {
      expect(readFileSync(join(first, name)).equals(readFileSync(join(second, name)))).toBe(true);
    }
    expect(elapsed).toBeLessThan(5000); // generous for a loaded CI machine; typically ~150 ms
    const again = await runForge("--out", first);
    expect(again.out).toContain("kept");
  });

  it.each([
    [["--bogus"], "Unknown option '--bogus'"],
    [[], "--out DIR is required"],
    [["--out", "/etc/passwd/inside"], "a part of the path is a file"],
  ])("refuses %j with a clear message and writes nothing", async (argv, message) => {
    const result = await runForge(...argv);
    expect(result.code).toBe(2);
    expect(result.err).toContain(message);
    expect(result.err).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("refuses --adapter-for files that are not a llama GGUF model, leaving --out untouched", async () => {
    const target = join(dir, "untouched");
    const text = join(dir, "text.gguf");
    writeFileSync(text, "just text");
    const truncated = join(dir, "truncated.gguf");
    const demo = buildDemoModel(readDemoCorpus());
    writeGguf(truncated, demo.base);
    writeFileSync(truncated, readFileSync(truncated).subarray(0, 5000));
    const notLlama = writeGguf(join(dir, "gpt2.gguf"), {
      metadata: [["general.architecture", gguf.str("gpt2")], ["general.type", gguf.str("model")]],
      tensors: [{ name: "blk.0.attn_q.weight", dims: [4, 4], type: GgmlTensorType.F32, data: new Float32Array(16) }],
    });
    for (const [file, message] of [
      [text, "is not a GGUF file"],
      [truncated, "is truncated"],
      [notLlama, 'architecture is "gpt2"'],
      [join(dir, "missing.gguf"), "not found"],
    ] as const) {
      const result = await runForge("--out", target, "--adapter-for", file);
      expect(result.code).toBe(2);
      expect(result.err).toContain(message);
    }
    expect(existsSync(target)).toBe(false);
  });

  it.skipIf(!existsSync(join(SHARED_MODELS, "stories260K.gguf")))("--adapter-for a real third-party model gives an adapter node-llama-cpp applies", async () => {
    const base = join(SHARED_MODELS, "stories260K.gguf");
    const out = join(dir, "stories");
    expect((await runForge("--out", out, "--adapter-for", base)).code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["demo-base.gguf", "demo-lora.gguf", "stories260K.lora.gguf"]);
    const llama = await getLlama({ gpu: false, build: "never" });
    const model = await llama.loadModel({ modelPath: base });
    const context = await model.createContext({ contextSize: 256, threads: 1, lora: { adapters: [{ filePath: join(out, "stories260K.lora.gguf") }] } });
    const sequence = context.getSequence();
    const tokens = [model.tokens.bos!, ...model.tokenize("Once upon a time")];
    const output = await sequence.controlledEvaluate([...tokens.slice(0, -1), [tokens.at(-1)!, { generateNext: { probabilities: true } }]]);
    expect(output.at(-1)?.next?.probabilities?.size).toBeGreaterThan(0);
    await context.dispose();
    await model.dispose();
  });
});

describe("the demo models in llama.cpp", () => {
  let model: LlamaModel;
  const forged = join(dir, "demo");

  beforeAll(async () => {
    await runForge("--out", forged);
    model = (await engine.loadModel(join(forged, "demo-base.gguf"))).model;
  });

  it("spells every word of the demo suite as one piece, and every label as one token after the cue", () => {
    for (const text of readDemoCorpus()) {
      for (const word of text.match(WORD_PATTERN) ?? []) {
        expect(model.tokenize(word, false), word).toHaveLength(1); // the tokenizer adds the leading space itself
      }
    }
    const cue = model.tokenize("Category:", false);
    for (const label of DEMO_LABELS) expect(model.tokenize(`Category: ${label}`, false).length - cue.length).toBe(1);
  });

  async function nextTokenDistribution(adapterScale: number | undefined, text: string): Promise<Map<Token, number>> {
    const context = await model.createContext({
      contextSize: 256,
      threads: 1,
      ...(adapterScale === undefined ? {} : { lora: { adapters: [{ filePath: join(forged, "demo-lora.gguf"), scale: adapterScale }] } }),
    });
    try {
      const tokens = [model.tokens.bos!, ...model.tokenize(text, false)];
      const output = await context.getSequence().controlledEvaluate([...tokens.slice(0, -1), [tokens.at(-1)!, { generateNext: { probabilities: true } }]]);
      return output.at(-1)!.next!.probabilities!;
    } finally {
      await context.dispose();
    }
  }

  const l1 = (a: Map<Token, number>, b: Map<Token, number>) => {
    let sum = 0;
    for (const token of new Set([...a.keys(), ...b.keys()])) sum += Math.abs((a.get(token) ?? 0) - (b.get(token) ?? 0));
    return sum;
  };

  it("the adapter changes the next-token distribution; at scale 0 it changes nothing", async () => {
    const unknownToBase = Object.entries(DEMO_KEYWORDS).find(([, [, known]]) => !known)![0];
    const text = `Classify this customer message: "It was ${unknownToBase}."\nCategory:`;
    const base = await nextTokenDistribution(undefined, text);
    const adapted = await nextTokenDistribution(1, text);
    const zero = await nextTokenDistribution(0, text);
    expect(l1(base, adapted)).toBeGreaterThan(0.5);
    expect(l1(base, zero)).toBe(0);
  });
});
