// `tunegate validate` refuses exactly what the engine refuses before it loads weights: each hostile model or
// adapter below is forged, then validated through the CLI and run through the real engine, and the two must
// name the same problem with the same words at the same suite line. `tunegate run` refuses it too, with exit 2,
// before Vitest starts.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { createLocalEngine } from "../../src/engine/local/local-engine.js";
import { TunegateError } from "../../src/errors.js";
import { loadSuite } from "../../src/suite/loader.js";
import { readDemoCorpus } from "../../tools/forge/demo-corpus.js";
import { buildDemoModel } from "../../tools/forge/demo-model.js";
import { GgmlTensorType, type GgufFile } from "../../tools/forge/gguf-writer.js";
import { loraAdapterMetadata } from "../../tools/forge/llama-gguf.js";
import { DEMO_SUITE, forgeDemo, temporaryDir, writeGguf } from "../helpers/forged.js";

const forged = forgeDemo();
const dir = temporaryDir("tunegate-validate-");
const engine = createLocalEngine();
afterAll(() => engine.dispose());
const demo = buildDemoModel(readDemoCorpus());
let counter = 0;

async function cli(args: string[], cwd = dir): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { stdout: (l) => out.push(l), stderr: (l) => err.push(l), cwd, env: {} });
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

/** The demo suite in its own folder, its arms pointed at the given files. */
function writeSuite(files: { model?: string; adapter?: string; loraModel?: string }): string {
  let yaml = readFileSync(DEMO_SUITE, "utf8")
    .replace("../../.cache/models/demo-base.gguf", files.model ?? forged.base)
    .replace("../../.cache/models/demo-lora.gguf", files.adapter ?? forged.lora);
  if (files.loraModel !== undefined) yaml = yaml.replace(/^lora:\n/m, `lora:\n  model: ${files.loraModel}\n`);
  const folder = join(dir, `suite-${++counter}`);
  mkdirSync(folder);
  const path = join(folder, "hostile.cases.yaml");
  writeFileSync(path, yaml);
  return path;
}

function adapterFile(tensors: Array<[string, number[]]>, architecture = "llama"): string {
  const metadata = loraAdapterMetadata("hostile adapter", 4).map(([key, value]) =>
    key === "general.architecture" ? ([key, { ...value, value: architecture }] as const) : ([key, value] as const),
  );
  const file: GgufFile = {
    metadata,
    tensors: tensors.map(([name, dims]) => ({ name, dims, type: GgmlTensorType.F32, data: new Float32Array(dims[0]! * dims[1]!) })),
  };
  return writeGguf(join(dir, `adapter-${++counter}.gguf`), file);
}

function rawFile(content: string | Buffer): string {
  const path = join(dir, `file-${++counter}.gguf`);
  writeFileSync(path, content);
  return path;
}

function modelWith(key: string, value: number): string {
  const metadata = demo.base.metadata.map(([name, entry]) => (name === `llama.${key}` ? ([name, { ...entry, value }] as const) : ([name, entry] as const)));
  return writeGguf(join(dir, `model-${++counter}.gguf`), { ...demo.base, metadata } as GgufFile);
}

const truncated = () => rawFile(readFileSync(forged.base).subarray(0, 200));
const v = "blk.0.attn_v.weight";

const HOSTILE: Array<[what: string, files: () => Parameters<typeof writeSuite>[0], code: string, diagnostic: string, key: "model" | "adapter"]> = [
  ["a model that is a text file", () => ({ model: rawFile("my notes, not a model\n") }), "GGUF_BAD_MAGIC", "model-not-gguf", "model"],
  ["an empty adapter", () => ({ adapter: rawFile("") }), "GGUF_BAD_MAGIC", "model-not-gguf", "adapter"],
  ["an adapter that is a Git LFS pointer", () => ({ adapter: rawFile("version https://git-lfs.github.com/spec/v1\noid sha256:ab\nsize 9\n") }), "GGUF_BAD_MAGIC", "model-not-gguf", "adapter"],
  ["a truncated model", () => ({ model: truncated() }), "GGUF_TRUNCATED", "model-unusable", "model"],
  ["the adapter given as the model", () => ({ model: forged.lora }), "GGUF_ADAPTER_AS_MODEL", "model-unusable", "model"],
  ["the model given as the adapter", () => ({ adapter: forged.base }), "GGUF_NOT_AN_ADAPTER", "model-unusable", "adapter"],
  ["an adapter for another architecture", () => ({ adapter: adapterFile([[`${v}.lora_a`, [128, 4]], [`${v}.lora_b`, [4, 128]]], "gpt2") }), "ADAPTER_ARCH_MISMATCH", "adapter-mismatch", "adapter"],
  ["an adapter tensor the base lacks", () => ({ adapter: adapterFile([["blk.7.attn_v.weight.lora_a", [128, 4]], ["blk.7.attn_v.weight.lora_b", [4, 128]]]) }), "ADAPTER_NO_BASE_TENSOR", "adapter-mismatch", "adapter"],
  ["an adapter tensor of the wrong shape", () => ({ adapter: adapterFile([[`${v}.lora_a`, [64, 4]], [`${v}.lora_b`, [4, 128]]]) }), "ADAPTER_SHAPE_MISMATCH", "adapter-mismatch", "adapter"],
  ["half of a lora_a/lora_b pair", () => ({ adapter: adapterFile([[`${v}.lora_a`, [128, 4]]]) }), "ADAPTER_INCOMPLETE_PAIR", "adapter-mismatch", "adapter"],
  ["a model whose block_count would abort llama.cpp", () => ({ model: modelWith("block_count", 0) }), "GGUF_BAD_HYPERPARAMETER", "model-unusable", "model"],
  ["a LoRA base that does not fit the adapter", () => ({ loraModel: truncated() }), "GGUF_TRUNCATED", "model-unusable", "model"],
];

describe("validate refuses what the engine refuses, before any weights load", () => {
  it.each(HOSTILE)("%s", async (_what, files, code, diagnostic, key) => {
    const suiteFile = writeSuite(files());
    const { code: exit, stdout } = await cli(["validate", "--json", suiteFile]);
    expect(exit).toBe(2);
    const report = JSON.parse(stdout) as { files: [{ valid: boolean; diagnostics: Array<{ severity: string; code: string; message: string; location: { line: number } }> }] };
    expect(report.files[0].valid).toBe(false);
    const errors = report.files[0].diagnostics.filter((d) => d.severity === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]!.code).toBe(diagnostic);

    // The engine, given the same suite, refuses it with the same words at the same line.
    const { suite } = await loadSuite(suiteFile, { env: {} });
    expect(suite).toBeDefined();
    const refused = await engine.runSuite(suite!).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(TunegateError);
    expect((refused as TunegateError).code).toBe(code);
    expect(errors[0]!.message).toBe((refused as TunegateError).message);
    expect(errors[0]!.location.line).toBe((refused as TunegateError).location?.line);
    const ref = key === "adapter" ? suite!.lora.adapter : files().loraModel !== undefined ? suite!.lora.model : suite!.fewShot.model;
    expect(errors[0]!.location.line).toBe(ref.location.line);

    // `tunegate run` stops at validation, exit 2, with the same error; no model is loaded.
    const run = await cli(["run", suiteFile]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(errors[0]!.message);
    expect(engine.modelLoads).toBe(0);

    // --skip-models keeps its meaning: the files are not looked at.
    expect((await cli(["validate", "--skip-models", suiteFile])).code).toBe(0);
  });

  it("a not-GGUF file is an error with its reason and fix, not a warning", async () => {
    const suiteFile = writeSuite({ adapter: rawFile("version https://git-lfs.github.com/spec/v1\noid sha256:ab\nsize 9\n") });
    const { stdout } = await cli(["validate", suiteFile]);
    expect(stdout).toMatch(/hostile\.cases\.yaml:24:\d+: error: LoRA adapter .* is not a GGUF file \(it looks like a Git LFS pointer/);
    expect(stdout).toContain("hint: run `git lfs pull`");
    expect(stdout).toMatch(/invalid — 1 error$/m);
  });

  it("accepts the forged demo models, which the engine runs", async () => {
    const suiteFile = writeSuite({});
    expect(await cli(["validate", suiteFile])).toMatchObject({ code: 0, stdout: expect.stringMatching(/: ok — \d+ cases/) as unknown });
  });
});

describe("where validate looks", () => {
  it("without a path it validates every suite below the working directory, as run does", async () => {
    const folder = join(dir, "project");
    mkdirSync(join(folder, "evals"), { recursive: true });
    writeFileSync(join(folder, "evals/bad.cases.yaml"), "labels: [a]\n");
    const { code, stdout } = await cli(["validate"], folder);
    expect(code).toBe(2);
    expect(stdout).toContain("evals/bad.cases.yaml: invalid");
  });

  it("a folder of YAML files not named *.cases.yaml gets the naming rule", async () => {
    const folder = join(dir, "misnamed");
    mkdirSync(join(folder, "suites"), { recursive: true });
    writeFileSync(join(folder, "suites/triage.yaml"), "labels: [a]\n");
    const validate = await cli(["validate"], folder);
    expect(validate.code).toBe(2);
    expect(validate.stdout).toBe(
      '.: error: no suite files match this path or pattern (it holds YAML files such as "suites/triage.yaml", but a suite file\'s name must end in .cases.yaml, e.g. triage.cases.yaml: rename the suites)',
    );
    const run = await cli(["run", "suites"], folder);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no suite files (*.cases.yaml) match suites (it holds YAML files such as "triage.yaml"');
  });

  it("a folder with no YAML at all gets no naming hint", async () => {
    const folder = join(dir, "empty-project");
    mkdirSync(folder);
    expect((await cli(["validate"], folder)).stdout).toBe(".: error: no suite files match this path or pattern");
  });
});
