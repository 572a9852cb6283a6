// Every bad model, adapter or prompt becomes a TunegateError that names the file or the case, checked in
// JavaScript before llama.cpp sees it; the process survives and the next run works.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GgmlTensorType, type GgufFile } from "../../tools/forge/gguf-writer.js";
import { loraAdapterMetadata } from "../../tools/forge/llama-gguf.js";
import { readDemoCorpus } from "../../tools/forge/demo-corpus.js";
import { buildDemoModel } from "../../tools/forge/demo-model.js";
import { TunegateError } from "../../src/errors.js";
import { createLocalEngine } from "../../src/engine/local/local-engine.js";
import { renderLoraPrompt } from "../../src/prompts.js";
import type { Suite } from "../../src/types.js";
import { forgeDemo, loadDemoSuite, writeGguf } from "../helpers/forged.js";

const forged = forgeDemo();
const engine = createLocalEngine();
afterAll(() => engine.dispose());
const dir = forged.dir;
let suite: Suite;

beforeAll(async () => {
  suite = await loadDemoSuite(forged);
});

function withModel(path: string): Suite {
  return { ...suite, fewShot: { ...suite.fewShot, model: { ...suite.fewShot.model, path } }, lora: { ...suite.lora, model: { ...suite.lora.model, path } } };
}
function withAdapter(path: string): Suite {
  return { ...suite, lora: { ...suite.lora, adapter: { ...suite.lora.adapter, path } } };
}

async function failure(promise: Promise<unknown>): Promise<TunegateError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TunegateError);
  return error as TunegateError;
}

function adapter(name: string, tensors: Array<[string, number[]]>, architecture = "llama"): string {
  const metadata = loraAdapterMetadata("test adapter", 4).map(([key, value]) =>
    key === "general.architecture" ? ([key, { ...value, value: architecture }] as const) : ([key, value] as const),
  );
  const file: GgufFile = {
    metadata,
    tensors: tensors.map(([tensor, dims]) => ({ name: tensor, dims, type: GgmlTensorType.F32, data: new Float32Array(dims[0]! * dims[1]!) })),
  };
  return writeGguf(join(dir, name), file);
}

describe("models", () => {
  it("a file that is not GGUF", async () => {
    const path = join(dir, "notes.gguf");
    writeFileSync(path, "these are my notes, not a model\n");
    const error = await failure(engine.runSuite(withModel(path)));
    expect(error.code).toBe("GGUF_BAD_MAGIC");
    expect(error.message).toContain(path);
    expect(error.message).toContain("not a GGUF file");
    expect(error.hint).toContain("convert");
  });

  it("a safetensors file is recognised and the conversion named", async () => {
    const path = join(dir, "model.safetensors.gguf");
    const header = Buffer.from('{"__metadata__":{}}');
    const size = Buffer.alloc(8);
    size.writeBigUInt64LE(BigInt(header.length));
    writeFileSync(path, Buffer.concat([size, header]));
    const error = await failure(engine.runSuite(withModel(path)));
    expect(error.message).toContain("safetensors");
  });

  it("a truncated model, cut in the header or in the weights", async () => {
    const bytes = readFileSync(forged.base);
    for (const [name, length, needle] of [
      ["head.gguf", 200, "header needs"],
      ["body.gguf", Math.floor(bytes.length / 2), "tensor "],
    ] as const) {
      const path = join(dir, name);
      writeFileSync(path, bytes.subarray(0, length));
      const error = await failure(engine.runSuite(withModel(path)));
      expect(error.code).toBe("GGUF_TRUNCATED");
      expect(error.message).toContain(path);
      expect(error.message).toContain(needle);
    }
  });

  it("a missing model file", async () => {
    const error = await failure(engine.runSuite(withModel(join(dir, "nowhere.gguf"))));
    expect(error.code).toBe("GGUF_MISSING");
  });

  it("an architecture llama.cpp does not know", async () => {
    const path = join(dir, "alien.gguf");
    const bytes = readFileSync(forged.base);
    // Same length in place: "llama" -> "llamb" keeps every offset valid.
    const at = bytes.indexOf("general.architecture");
    const value = bytes.indexOf("llama", at);
    const alien = Buffer.from(bytes);
    alien.write("llamb", value);
    writeFileSync(path, alien);
    // Only the few-shot arm's model: as the LoRA arm's base it would first be refused for not fitting the adapter.
    const error = await failure(engine.runSuite({ ...suite, fewShot: { ...suite.fewShot, model: { ...suite.fewShot.model, path } } }));
    expect(error.code).toBe("MODEL_ARCH_UNSUPPORTED");
    expect(error.message).toContain('"llamb"');
  });

  it("an adapter given as the model", async () => {
    const error = await failure(engine.runSuite(withModel(forged.lora)));
    expect(error.code).toBe("GGUF_ADAPTER_AS_MODEL");
    expect(error.hint).toContain("lora.adapter");
  });
});

describe("adapters", () => {
  it("a model given as the adapter", async () => {
    const error = await failure(engine.runSuite(withAdapter(forged.base)));
    expect(error.code).toBe("GGUF_NOT_AN_ADAPTER");
    expect(error.message).toContain(forged.base);
  });

  it("an adapter for another architecture", async () => {
    const path = adapter("gpt2.gguf", [["blk.0.attn_v.weight.lora_a", [128, 4]], ["blk.0.attn_v.weight.lora_b", [4, 128]]], "gpt2");
    const error = await failure(engine.runSuite(withAdapter(path)));
    expect(error.code).toBe("ADAPTER_ARCH_MISMATCH");
    expect(error.message).toContain('"gpt2"');
    expect(error.message).toContain('"llama"');
    expect(error.location?.file).toBe(suite.lora.adapter.location.file);
  });

  it("an adapter tensor the base model does not have", async () => {
    const path = adapter("deep.gguf", [["blk.7.attn_v.weight.lora_a", [128, 4]], ["blk.7.attn_v.weight.lora_b", [4, 128]]]);
    const error = await failure(engine.runSuite(withAdapter(path)));
    expect(error.code).toBe("ADAPTER_NO_BASE_TENSOR");
    expect(error.message).toContain("blk.7.attn_v.weight");
  });

  it("an adapter tensor of the wrong shape names the tensor and both shapes", async () => {
    const path = adapter("narrow.gguf", [["blk.0.attn_v.weight.lora_a", [64, 4]], ["blk.0.attn_v.weight.lora_b", [4, 128]]]);
    const error = await failure(engine.runSuite(withAdapter(path)));
    expect(error.code).toBe("ADAPTER_SHAPE_MISMATCH");
    expect(error.message).toContain("blk.0.attn_v.weight has shape [128, 128]");
    expect(error.message).toContain("lora_a is [64, 4]");
  });

  it("half of a lora_a/lora_b pair", async () => {
    const path = adapter("half.gguf", [["blk.0.attn_v.weight.lora_a", [128, 4]]]);
    const error = await failure(engine.runSuite(withAdapter(path)));
    expect(error.code).toBe("ADAPTER_INCOMPLETE_PAIR");
    expect(error.message).toContain("blk.0.attn_v.weight.lora_b is missing");
  });

  it("when llama.cpp itself refuses an adapter, its own words are kept", async () => {
    // runArm skips tunegate's adapter check, so llama.cpp sees the bad adapter and logs why it refuses it.
    const path = adapter("deep-unchecked.gguf", [["blk.7.attn_v.weight.lora_a", [128, 4]], ["blk.7.attn_v.weight.lora_b", [4, 128]]]);
    const { model } = await engine.loadModel(forged.base);
    const error = await failure(
      engine.runArm({
        arm: "lora",
        model,
        modelPath: forged.base,
        trainContextSize: 2048,
        adapter: { path, scale: 1 },
        labels: suite.labels,
        cases: suite.cases.slice(0, 1),
        prompts: [renderLoraPrompt(suite.lora, suite.cases[0]!.input)],
        scoring: "logprob",
        lengthNormalize: false,
        threads: 1,
        maxGeneratedTokens: 10,
      }),
    );
    expect(error.code).toBe("CONTEXT_FAILED");
    expect(error.detail).toContain("does not exist in base model");
  });
});

describe("prompts", () => {
  it("a prompt longer than the chosen context names the case, its token count and the option to raise", async () => {
    const error = await failure(engine.runSuite(suite, { contextSize: 64 }));
    expect(error.code).toBe("PROMPT_TOO_LONG");
    expect(error.message).toMatch(/few-shot prompt of case \d+ \(".*"\) needs \d+ tokens, more than the context of 64/);
    expect(error.hint).toContain("--context-size");
    expect(error.location?.file).toBe(suite.file);
  });

  it("a case longer than the model was trained for says so", async () => {
    const long = { ...suite.cases[0]!, input: "please ".repeat(2100) };
    const error = await failure(engine.runSuite({ ...suite, cases: [long, ...suite.cases.slice(1)] }));
    expect(error.code).toBe("PROMPT_TOO_LONG");
    expect(error.message).toContain("case 1");
    expect(error.hint).toContain("trained for 2048 tokens");
  });
});

describe("models that load but compute nonsense", () => {
  const demo = buildDemoModel(readDemoCorpus());

  it("an adapter of NaN weights is an error naming the LoRA arm and the adapter, not a verdict", async () => {
    const nan = { ...demo.lora, tensors: demo.lora.tensors.map((t) => ({ ...t, data: new Float32Array(t.data.length).fill(Number.NaN) })) };
    const path = writeGguf(join(dir, "nan-lora.gguf"), nan);
    const error = await failure(engine.runSuite(withAdapter(path)));
    expect(error.code).toBe("MODEL_OUTPUT_INVALID");
    expect(error.message).toContain("the LoRA arm cannot be scored");
    expect(error.message).toContain(path);
    expect(error.location).toEqual(suite.lora.adapter.location);
    expect(error.hint).toContain("lora.scale");
  });

  it("in generate mode too: greedy decoding from NaN logits is an error, not a row of invalid answers", async () => {
    const nan = { ...demo.lora, tensors: demo.lora.tensors.map((t) => ({ ...t, data: new Float32Array(t.data.length).fill(Number.NaN) })) };
    const path = writeGguf(join(dir, "nan-lora-generate.gguf"), nan);
    const error = await failure(engine.runSuite({ ...withAdapter(path), scoring: "generate" }));
    expect(error.code).toBe("MODEL_OUTPUT_INVALID");
    expect(error.message).toContain("the LoRA arm cannot be scored");
    expect(error.message).toContain(path);
  });

  it("a model with NaN output weights is an error naming the few-shot arm and the model", async () => {
    const tensors = demo.base.tensors.map((t) => (t.name === "output.weight" ? { ...t, data: new Float32Array(t.data.length).fill(Number.NaN) } : t));
    expect(tensors.some((t) => t.name === "output.weight")).toBe(true);
    const path = writeGguf(join(dir, "nan-output.gguf"), { ...demo.base, tensors });
    const error = await failure(engine.runSuite(withModel(path)));
    expect(error.code).toBe("MODEL_OUTPUT_INVALID");
    expect(error.message).toContain("the few-shot arm cannot be scored");
    expect(error.message).toContain(path);
    expect(error.location).toEqual(suite.fewShot.model.location);
  });

  // Each of these made llama.cpp abort the process (GGML_ASSERT, exit 134) while loading the model.
  it.each([
    ["block_count", 0],
    ["feed_forward_length", 0],
    ["attention.head_count", 0],
    ["attention.head_count_kv", 0],
    ["attention.layer_norm_rms_epsilon", -1],
    ["attention.layer_norm_rms_epsilon", Number.NaN],
    ["rope.freq_base", 0],
  ])("a model with %s = %s is refused before llama.cpp loads it", async (key, value) => {
    const metadata = demo.base.metadata.map(([name, entry]) => (name === `llama.${key}` ? ([name, { ...entry, value }] as const) : ([name, entry] as const)));
    expect(metadata.some(([name]) => name === `llama.${key}`)).toBe(true);
    const path = writeGguf(join(dir, `bad-${key}.gguf`), { ...demo.base, metadata } as GgufFile);
    const error = await failure(engine.runSuite(withModel(path)));
    expect(error.code).toBe("GGUF_BAD_HYPERPARAMETER");
    expect(error.message).toContain(`llama.${key} = ${String(value)}`);
    expect(error.message).toContain(path);
    expect(error.location).toEqual(suite.fewShot.model.location);
  });
});

describe("paths built from environment values", () => {
  it("an engine error names such a path as written, never the value that went into it", async () => {
    const path = join(dir, "ghp_s3cr3t-notes.gguf");
    writeFileSync(path, "not a model\n");
    const written = "${env:MODEL_FILE}";
    const secretModel = { ...suite.fewShot.model, path, written, envVars: ["MODEL_FILE"] };
    const error = await failure(
      engine.runSuite({ ...suite, fewShot: { ...suite.fewShot, model: secretModel }, lora: { ...suite.lora, model: secretModel } }),
    );
    expect(error.code).toBe("GGUF_BAD_MAGIC");
    expect(error.describe()).not.toContain("s3cr3t");
    expect(error.message).toContain("`${env:MODEL_FILE}`");
  });
});

describe("after all of that", () => {
  it("the process is alive and a good suite still runs", async () => {
    const run = await engine.runSuite(suite, { threads: 1 });
    expect(run.arms.lora.cases.filter((c) => c.correct).length).toBeGreaterThan(40);
  });
});
