// Checks a GGUF model or LoRA adapter in JavaScript before llama.cpp opens it. llama.cpp can abort the whole
// process on a malformed file, and when it fails politely node-llama-cpp's message is generic; here every
// problem becomes a TunegateError that names the file, the tensor and the fix.
import { stat } from "node:fs/promises";
import { GgmlType, readGgufFileInfo, type GgufFileInfo } from "node-llama-cpp";
import { TunegateError } from "../errors.js";
import { readFirstBytes } from "../read-head.js";

export interface GgufTensorShape {
  /** ggml order: dims[0] is the input dimension. */
  dims: number[];
  ggmlType: GgmlType;
}

export interface GgufInspection {
  path: string;
  fileSize: number;
  /** `general.type`: "model" for models (or absent in older files), "adapter" for LoRA adapters. */
  generalType: string;
  architecture: string;
  tensors: Map<string, GgufTensorShape>;
  /** `adapter.lora.alpha` (adapters only; 0 when absent, as llama.cpp reads it). */
  loraAlpha: number;
  info: GgufFileInfo;
}

export type GgufRole = "model" | "adapter";

/**
 * Bytes per block and values per block of the ggml tensor types, as ggml's type traits define them. Kept here
 * because node-llama-cpp reads type sizes only through its native binding, and this check runs before one loads.
 */
const GGML_TYPE_LAYOUT: Partial<Record<GgmlType, { blockBytes: number; blockValues: number }>> = {
  [GgmlType.F32]: { blockBytes: 4, blockValues: 1 },
  [GgmlType.F16]: { blockBytes: 2, blockValues: 1 },
  [GgmlType.Q4_0]: { blockBytes: 18, blockValues: 32 },
  [GgmlType.Q4_1]: { blockBytes: 20, blockValues: 32 },
  [GgmlType.Q5_0]: { blockBytes: 22, blockValues: 32 },
  [GgmlType.Q5_1]: { blockBytes: 24, blockValues: 32 },
  [GgmlType.Q8_0]: { blockBytes: 34, blockValues: 32 },
  [GgmlType.Q2_K]: { blockBytes: 84, blockValues: 256 },
  [GgmlType.Q3_K]: { blockBytes: 110, blockValues: 256 },
  [GgmlType.Q4_K]: { blockBytes: 144, blockValues: 256 },
  [GgmlType.Q5_K]: { blockBytes: 176, blockValues: 256 },
  [GgmlType.Q6_K]: { blockBytes: 210, blockValues: 256 },
  [GgmlType.I8]: { blockBytes: 1, blockValues: 1 },
  [GgmlType.I16]: { blockBytes: 2, blockValues: 1 },
  [GgmlType.I32]: { blockBytes: 4, blockValues: 1 },
  [GgmlType.I64]: { blockBytes: 8, blockValues: 1 },
  [GgmlType.F64]: { blockBytes: 8, blockValues: 1 },
  [GgmlType.BF16]: { blockBytes: 2, blockValues: 1 },
};

/** Byte size of a tensor's data, or undefined for types whose layout this table does not know. */
export function tensorByteSize(shape: GgufTensorShape): number | undefined {
  const layout = GGML_TYPE_LAYOUT[shape.ggmlType];
  if (!layout) return undefined;
  const [rowValues = 1, ...rest] = shape.dims;
  const rows = rest.reduce((a, b) => a * b, 1);
  return Math.ceil(rowValues / layout.blockValues) * layout.blockBytes * rows;
}

const roleNoun: Record<GgufRole, string> = { model: "model", adapter: "LoRA adapter" };

function describeForeignFormat(head: Buffer): string | undefined {
  if (head.toString("latin1").startsWith("version https://git-lfs")) return "a Git LFS pointer, not the file itself";
  if (head.length >= 9 && head.readBigUInt64LE(0) < 100_000_000n && head[8] === 0x7b) return "a safetensors file";
  if (head.subarray(0, 2).toString("latin1") === "PK") return "a zip archive (a PyTorch .bin/.pt checkpoint?)";
  if (head[0] === 0x80 && (head[1] ?? 0) <= 5) return "a Python pickle (a PyTorch checkpoint?)";
  if (head.subarray(0, 1).toString("latin1") === "{") return "a JSON file";
  return undefined;
}

const conversionHint: Record<GgufRole, string> = {
  model: "convert the Hugging Face model with llama.cpp's convert_hf_to_gguf.py, or download a .gguf build of it",
  adapter: "convert the PEFT adapter with llama.cpp's convert_lora_to_gguf.py --base <the base model's HF folder>",
};

/** Reads and checks a GGUF file's header and tensor table; never loads weights. */
export async function inspectGguf(path: string, role: GgufRole): Promise<GgufInspection> {
  const noun = roleNoun[role];
  let fileSize: number;
  try {
    const stats = await stat(path);
    if (!stats.isFile()) throw new TunegateError("GGUF_NOT_A_FILE", `${noun} ${path} is not a file`);
    fileSize = stats.size;
  } catch (error) {
    if (error instanceof TunegateError) throw error;
    throw new TunegateError("GGUF_MISSING", `${noun} file not found: ${path}`, {
      hint: "check the path in the suite (it is resolved against the suite file's folder)",
      cause: error,
    });
  }

  const head = await readFirstBytes(path, 24);
  if (head.length < 4 || head.subarray(0, 4).toString("latin1") !== "GGUF") {
    const foreign = head.length === 0 ? "an empty file" : describeForeignFormat(head);
    const lfs = foreign?.startsWith("a Git LFS pointer") === true;
    throw new TunegateError(
      "GGUF_BAD_MAGIC",
      `${noun} ${path} is not a GGUF file${foreign ? ` (it looks like ${foreign})` : ""}: it does not start with the bytes "GGUF"`,
      { hint: lfs ? "run `git lfs pull` to fetch the file (in GitHub Actions: actions/checkout with `lfs: true`)" : conversionHint[role] },
    );
  }
  if (head.length < 24) {
    throw new TunegateError("GGUF_TRUNCATED", `${noun} ${path} is truncated: ${fileSize} bytes, shorter than a GGUF header`, {
      hint: "the download or copy was cut short; fetch the file again",
    });
  }
  const version = head.readUInt32LE(4);
  if (version !== 2 && version !== 3) {
    throw new TunegateError("GGUF_VERSION", `${noun} ${path} is GGUF version ${version}; llama.cpp reads versions 2 and 3`, {
      hint: "re-convert it with a current llama.cpp",
    });
  }

  let info: GgufFileInfo;
  try {
    // filesystem only: a suite path must never turn into a download.
    info = await readGgufFileInfo(path, { readTensorInfo: true, sourceType: "filesystem", logWarnings: false });
  } catch (error) {
    throw new TunegateError("GGUF_UNREADABLE", `${noun} ${path} has an unreadable GGUF header: ${(error as Error).message}`, {
      hint: "the file is damaged or truncated; fetch or convert it again",
      cause: error,
    });
  }
  // The header parser reads past the end of a short file without complaint, so check the extents ourselves.
  if (Number(info.infoEndOffset ?? 0) > fileSize) {
    throw new TunegateError("GGUF_TRUNCATED", `${noun} ${path} is truncated: its header needs ${info.infoEndOffset} bytes, the file has ${fileSize}`, {
      hint: "the download or copy was cut short; fetch the file again",
    });
  }

  const tensors = new Map<string, GgufTensorShape>();
  for (const tensor of info.fullTensorInfo ?? info.tensorInfo ?? []) {
    const shape = { dims: tensor.dimensions.map(Number), ggmlType: tensor.ggmlType };
    tensors.set(tensor.name, shape);
    if ((tensor.filePart ?? 1) !== 1) continue; // other parts of a split model are checked by size by llama.cpp
    const size = tensorByteSize(shape) ?? 0;
    const end = Number(tensor.fileOffset) + size;
    if (end > fileSize) {
      throw new TunegateError(
        "GGUF_TRUNCATED",
        `${noun} ${path} is truncated: tensor ${tensor.name} needs bytes up to ${end}, the file has ${fileSize}`,
        { hint: "the download or copy was cut short; fetch the file again" },
      );
    }
  }

  // Typed as always present, but a damaged or hand-made file may lack it.
  const architecture: unknown = info.metadata.general?.architecture;
  // general.type and adapter.* are not in node-llama-cpp's metadata types (they describe models, not adapters).
  const untyped = info.metadata as { general?: { type?: unknown }; adapter?: { type?: unknown; lora?: { alpha?: unknown } } };
  const generalType = typeof untyped.general?.type === "string" ? untyped.general.type : "model";
  if (typeof architecture !== "string" || !architecture) {
    throw new TunegateError("GGUF_NO_ARCHITECTURE", `${noun} ${path} has no general.architecture in its metadata`, {
      hint: conversionHint[role],
    });
  }
  const adapterMeta = untyped.adapter;

  if (role === "model" && generalType === "adapter") {
    throw new TunegateError("GGUF_ADAPTER_AS_MODEL", `${path} is a LoRA adapter, not a model`, {
      hint: "name it under lora.adapter and point the model field at the base model's GGUF",
    });
  }
  if (role === "model") checkHyperParameters(info, architecture, path);
  if (role === "adapter") {
    if (generalType !== "adapter" || adapterMeta?.type !== "lora") {
      throw new TunegateError(
        "GGUF_NOT_AN_ADAPTER",
        `${path} is not a LoRA adapter (general.type is "${generalType}", adapter.type is "${String(adapterMeta?.type ?? "")}")`,
        { hint: generalType === "model" ? "this looks like a full model: use it as lora.model, and name the adapter under lora.adapter" : conversionHint.adapter },
      );
    }
  }
  const alpha = adapterMeta?.lora?.alpha;
  return {
    path,
    fileSize,
    generalType,
    architecture,
    tensors,
    loraAlpha: typeof alpha === "number" ? alpha : 0,
    info,
  };
}

function formatDims(dims: number[]): string {
  return `[${dims.join(", ")}]`;
}

/**
 * Checks that an adapter fits a base model by llama.cpp's own rules (llama-adapter.cpp): same architecture,
 * every tensor a complete lora_a/lora_b pair on an existing base tensor, A = [in, r], B = [r, out] for a base
 * weight [in, out] (token_embd is stored flipped).
 */
export function checkAdapterFitsModel(adapter: GgufInspection, model: GgufInspection): void {
  if (adapter.architecture !== model.architecture) {
    throw new TunegateError(
      "ADAPTER_ARCH_MISMATCH",
      `LoRA adapter ${adapter.path} is for architecture "${adapter.architecture}", but the model ${model.path} is "${model.architecture}"`,
      { hint: "use the adapter with the base model it was trained on" },
    );
  }
  const pairs = new Map<string, { a?: GgufTensorShape; b?: GgufTensorShape }>();
  for (const [name, shape] of adapter.tensors) {
    const match = /^(.*)\.lora_(a|b)$/.exec(name);
    if (!match) {
      if (name.endsWith("_norm.weight")) continue; // llama.cpp skips norm vectors in adapters
      throw new TunegateError("ADAPTER_BAD_TENSOR", `LoRA adapter ${adapter.path}: tensor ${name} is neither a .lora_a nor a .lora_b tensor`, {
        hint: "convert the adapter with llama.cpp's convert_lora_to_gguf.py",
      });
    }
    const pair = pairs.get(match[1]!) ?? {};
    pair[match[2] as "a" | "b"] = shape;
    pairs.set(match[1]!, pair);
  }
  if (pairs.size === 0) {
    throw new TunegateError("ADAPTER_EMPTY", `LoRA adapter ${adapter.path} holds no lora_a/lora_b tensors`, {
      hint: "convert the adapter again; the file has metadata but no weights",
    });
  }
  for (const [base, { a, b }] of pairs) {
    if (!a || !b) {
      throw new TunegateError("ADAPTER_INCOMPLETE_PAIR", `LoRA adapter ${adapter.path}: ${base}.lora_${a ? "b" : "a"} is missing (${base}.lora_${a ? "a" : "b"} is there)`, {
        hint: "the adapter file is incomplete; convert it again",
      });
    }
    const target = model.tensors.get(base);
    if (!target) {
      throw new TunegateError("ADAPTER_NO_BASE_TENSOR", `LoRA adapter ${adapter.path} changes ${base}, which the model ${model.path} does not have`, {
        hint: "the adapter was trained on a different base model; use the model it was made for",
      });
    }
    const [inputs = 1, outputs = 1] = target.dims;
    const tokenEmbedding = base.endsWith("token_embd.weight");
    const fits = tokenEmbedding
      ? inputs === (b.dims[1] ?? 1) && outputs === (a.dims[1] ?? 1)
      : inputs === (a.dims[0] ?? 1) && outputs === (b.dims[1] ?? 1) && (a.dims[1] ?? 1) === (b.dims[0] ?? 1);
    if (!fits) {
      throw new TunegateError(
        "ADAPTER_SHAPE_MISMATCH",
        `LoRA adapter ${adapter.path}: ${base} has shape ${formatDims(target.dims)} in the model, but the adapter's lora_a is ${formatDims(a.dims)} and lora_b is ${formatDims(b.dims)}` +
          (tokenEmbedding ? "" : ` (expected lora_a [${inputs}, r] and lora_b [r, ${outputs}])`),
        { hint: "the adapter was trained on a different base model (or a different size of it); use the model it was made for" },
      );
    }
  }
}

/**
 * The hyper-parameters llama.cpp asserts on while loading (GGML_ASSERT aborts the whole process, exit 134),
 * checked here first. Each is `<architecture>.<key>`; a missing key is left to llama.cpp, which refuses it
 * politely. Per-layer arrays (hybrid models) may hold zeros, but not only zeros.
 */
const POSITIVE_COUNTS = ["block_count", "embedding_length", "feed_forward_length", "attention.head_count", "attention.head_count_kv"] as const;
const NON_NEGATIVE_REALS = ["attention.layer_norm_rms_epsilon", "attention.layer_norm_epsilon"] as const;
const POSITIVE_REALS = ["rope.freq_base"] as const;

function metadataAt(root: unknown, key: string): unknown {
  let value = root;
  for (const part of key.split(".")) value = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[part] : undefined;
  return value;
}

function checkHyperParameters(info: GgufFileInfo, architecture: string, path: string): void {
  const params = (info.metadata as Record<string, unknown>)[architecture];
  const refuse = (key: string, value: unknown, expected: string): never => {
    throw new TunegateError(
      "GGUF_BAD_HYPERPARAMETER",
      `model ${path} has ${architecture}.${key} = ${typeof value === "number" ? String(value) : JSON.stringify(value)}, but it must be ${expected}; llama.cpp would abort the process loading it`,
      { hint: "the file is damaged or was written by a faulty converter; convert the model again" },
    );
  };
  for (const key of POSITIVE_COUNTS) {
    const value = metadataAt(params, key);
    if (value === undefined) continue;
    const counts = Array.isArray(value) ? value : [value];
    const valid = counts.every((n) => Number.isInteger(n) && n >= 0) && counts.some((n) => n > 0);
    if (!valid) refuse(key, value, "a whole number above 0");
  }
  for (const key of NON_NEGATIVE_REALS) {
    const value = metadataAt(params, key);
    if (value !== undefined && !(typeof value === "number" && Number.isFinite(value) && value >= 0)) refuse(key, value, "a finite number ≥ 0");
  }
  for (const key of POSITIVE_REALS) {
    const value = metadataAt(params, key);
    if (value !== undefined && !(typeof value === "number" && Number.isFinite(value) && value > 0)) refuse(key, value, "a finite number above 0");
  }
}
