// The result cache on disk, a folder of JSON files:
//   hashes.json           content hashes of model and adapter files, with each file's identity when hashed
//   results/<id>.json     one suite file's case results, by case key (id: SHA-256 of the suite's path)
// Nothing read here is trusted: a file that does not parse, has the wrong header, or holds an entry that is
// not a well-formed result for the suite as it is now is ignored, with a warning, and its cases run again.
// Files are written whole through writeFileAtomic, so a crash mid-write leaves the previous file.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { writeFileAtomic } from "../text/write-file.js";
import { INVALID_PREDICTION, type CaseArmResult, type EngineInfo, type ScoringMode } from "../types.js";
import type { FileIdentity, HashMemoEntry } from "./file-hash.js";

const HASHES_FORMAT = "tunegate-file-hashes";
const RESULTS_FORMAT = "tunegate-results";
/** Bumped when the layout of a file changes; a file of another version is ignored (silently: it is not damage). */
export const STORE_VERSION = 1;

/** A case result as cached: what the engine measured, without `correct` (which the current expected label decides). */
export interface CachedResult {
  result: Omit<CaseArmResult, "correct" | "cached">;
  /** When it was measured (ISO 8601). */
  measuredAt: string;
  /** Arm-level facts of the run that measured it, which a merged run still reports. */
  multiTokenLabels: string[];
  contextSize: number;
}

/** One suite file's cached results, and how the engine ran when it last ran any of them. */
export interface SuiteResults {
  entries: Map<string, CachedResult>;
  engine: EngineInfo | undefined;
}

export type Warn = (message: string) => void;

/** A number as JSON can hold it: finite numbers as they are, the others as their names. */
type StoredNumber = number | "Infinity" | "-Infinity" | "NaN";

function storeNumber(value: number): StoredNumber {
  return Number.isFinite(value) ? value : (String(value) as StoredNumber);
}

function readNumber(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (value === "Infinity" || value === "-Infinity" || value === "NaN") return Number(value);
  return undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const isCount = (value: unknown): value is number => typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Where a suite file's results are kept, inside the cache folder. */
export function resultsPath(dir: string, suiteFile: string): string {
  return join(dir, "results", `${createHash("sha256").update(suiteFile).digest("hex")}.json`);
}

export function hashesPath(dir: string): string {
  return join(dir, "hashes.json");
}

/**
 * Reads a JSON file of the given format; undefined when absent, a warning when unreadable or damaged. Warnings
 * name the file inside the cache folder only: the folder may come from an environment variable.
 */
async function readStoreFile(dir: string, path: string, format: string, warn: Warn): Promise<Record<string, unknown> | undefined> {
  const name = relative(dir, path).split("\\").join("/");
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") warn(`cannot read ${name} (${(error as NodeJS.ErrnoException).code ?? "error"}); ignoring it`);
    return undefined;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    warn(`${name} is not valid JSON (truncated or damaged); ignoring it`);
    return undefined;
  }
  if (!isRecord(data) || data.format !== format) {
    warn(`${name} is not a ${format} file; ignoring it`);
    return undefined;
  }
  if (data.version !== STORE_VERSION) return undefined;
  return data;
}

function readIdentity(value: unknown): FileIdentity | undefined {
  if (!isRecord(value)) return undefined;
  const fields = ["dev", "ino", "size", "mtimeNs", "ctimeNs"] as const;
  const digits = (v: unknown): v is string => typeof v === "string" && /^\d{1,40}$/.test(v);
  if (!fields.every((field) => digits(value[field]))) return undefined;
  return { dev: value.dev as string, ino: value.ino as string, size: value.size as string, mtimeNs: value.mtimeNs as string, ctimeNs: value.ctimeNs as string };
}

const SHA256 = /^[0-9a-f]{64}$/;

export async function readHashes(dir: string, warn: Warn): Promise<Map<string, HashMemoEntry>> {
  const path = hashesPath(dir);
  const data = await readStoreFile(dir, path, HASHES_FORMAT, warn);
  const memo = new Map<string, HashMemoEntry>();
  if (!data) return memo;
  if (!isRecord(data.files)) {
    warn(`hashes.json has no file list; ignoring it`);
    return memo;
  }
  let bad = 0;
  for (const [file, entry] of Object.entries(data.files)) {
    const identity = isRecord(entry) ? readIdentity(entry.identity) : undefined;
    const sha256 = isRecord(entry) ? entry.sha256 : undefined;
    if (identity && typeof sha256 === "string" && SHA256.test(sha256)) memo.set(file, { identity, sha256 });
    else bad += 1;
  }
  if (bad > 0) warn(`${bad} malformed entr${bad === 1 ? "y" : "ies"} in hashes.json ignored; those files are hashed again`);
  return memo;
}

export async function writeHashes(dir: string, memo: ReadonlyMap<string, HashMemoEntry>): Promise<void> {
  const files = Object.fromEntries([...memo].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  await writeFileAtomic(hashesPath(dir), `${JSON.stringify({ format: HASHES_FORMAT, version: STORE_VERSION, files }, null, 1)}\n`);
}

/** What a cached result must be to be used for a suite with these labels and this scoring mode. */
export interface ResultShape {
  labels: readonly string[];
  scoring: ScoringMode;
}

/** The cached result, if `value` is a well-formed one for `shape`; undefined otherwise. */
export function readCachedResult(value: unknown, shape: ResultShape): CachedResult | undefined {
  if (!isRecord(value) || !isRecord(value.result)) return undefined;
  const r = value.result;
  const { labels, scoring } = shape;
  if (typeof r.predicted !== "string") return undefined;
  const predictedOk = labels.includes(r.predicted) || (scoring === "generate" && r.predicted === INVALID_PREDICTION);
  if (!predictedOk) return undefined;
  if (!isRecord(r.scores)) return undefined;
  const scoreEntries = Object.entries(r.scores);
  const expectedKeys = scoring === "logprob" ? labels : [];
  if (scoreEntries.length !== expectedKeys.length || !expectedKeys.every((label) => Object.hasOwn(r.scores as object, label))) return undefined;
  const scores: Record<string, number> = {};
  for (const [label, stored] of scoreEntries) {
    const score = readNumber(stored);
    if (score === undefined) return undefined;
    scores[label] = score;
  }
  const confidence = readNumber(r.confidence);
  const margin = readNumber(r.margin);
  if (confidence === undefined || margin === undefined) return undefined;
  if (typeof r.latencyMs !== "number" || !Number.isFinite(r.latencyMs) || r.latencyMs < 0) return undefined;
  if (!isCount(r.promptTokens) || !isCount(r.outputTokens) || r.promptTokens === 0) return undefined;
  if (scoring === "generate" ? typeof r.generated !== "string" : r.generated !== undefined) return undefined;
  if (typeof value.measuredAt !== "string" || !ISO_TIME.test(value.measuredAt) || Number.isNaN(Date.parse(value.measuredAt))) return undefined;
  if (!Array.isArray(value.multiTokenLabels) || !value.multiTokenLabels.every((label) => typeof label === "string" && labels.includes(label))) return undefined;
  if (!isCount(value.contextSize)) return undefined;
  const result: CachedResult["result"] = {
    predicted: r.predicted,
    scores,
    confidence,
    margin,
    latencyMs: r.latencyMs,
    promptTokens: r.promptTokens,
    outputTokens: r.outputTokens,
    ...(typeof r.generated === "string" ? { generated: r.generated } : {}),
  };
  return { result, measuredAt: value.measuredAt, multiTokenLabels: [...(value.multiTokenLabels as string[])], contextSize: value.contextSize };
}

function readEngineInfo(value: unknown): EngineInfo | undefined {
  if (!isRecord(value)) return undefined;
  const { backend, threads, armsInParallel, contextSize, nodeLlamaCppVersion, kind, remote } = value;
  if (typeof backend !== "string" || !isCount(threads) || typeof armsInParallel !== "boolean" || !isCount(contextSize) || typeof nodeLlamaCppVersion !== "string") return undefined;
  if (typeof kind !== "string") return undefined;
  const info: EngineInfo = { backend, threads, armsInParallel, contextSize, modelLoadMs: 0, nodeLlamaCppVersion, kind };
  if (remote !== undefined) {
    if (!isRecord(remote) || typeof remote.url !== "string" || typeof remote.version !== "string" || !isCount(remote.concurrency)) return undefined;
    info.remote = { url: remote.url, version: remote.version, concurrency: remote.concurrency };
  }
  return info;
}

/**
 * A suite file's cached results, keeping only the entries asked for (`wanted`: key → the shape it must have).
 * Entries that are present but malformed are counted in one warning.
 */
export async function readSuiteResults(dir: string, suiteFile: string, wanted: ReadonlyMap<string, ResultShape>, warn: Warn): Promise<SuiteResults> {
  const path = resultsPath(dir, suiteFile);
  const entries = new Map<string, CachedResult>();
  const data = await readStoreFile(dir, path, RESULTS_FORMAT, warn);
  if (!data) return { entries, engine: undefined };
  if (!isRecord(data.entries)) {
    warn(`${relative(dir, path).split("\\").join("/")} has no entries; ignoring it, its cases run again`);
    return { entries, engine: undefined };
  }
  let bad = 0;
  for (const [key, shape] of wanted) {
    if (!Object.hasOwn(data.entries, key)) continue;
    const entry = readCachedResult(data.entries[key], shape);
    if (entry) entries.set(key, entry);
    else bad += 1;
  }
  if (bad > 0) warn(`${bad} malformed entr${bad === 1 ? "y" : "ies"} in ${relative(dir, path).split("\\").join("/")} ignored; ${bad === 1 ? "its case runs" : "their cases run"} again`);
  return { entries, engine: readEngineInfo(data.engine) };
}

function storedResult(entry: CachedResult): Record<string, unknown> {
  const r = entry.result;
  return {
    result: {
      predicted: r.predicted,
      scores: Object.fromEntries(Object.entries(r.scores).map(([label, score]) => [label, storeNumber(score)])),
      confidence: storeNumber(r.confidence),
      margin: storeNumber(r.margin),
      latencyMs: r.latencyMs,
      promptTokens: r.promptTokens,
      outputTokens: r.outputTokens,
      ...(r.generated !== undefined ? { generated: r.generated } : {}),
    },
    measuredAt: entry.measuredAt,
    multiTokenLabels: entry.multiTokenLabels,
    contextSize: entry.contextSize,
  };
}

/** Replaces a suite file's results with exactly these entries: results of cases no longer in the suite are dropped. */
export async function writeSuiteResults(dir: string, suiteFile: string, results: SuiteResults): Promise<void> {
  const entries = Object.fromEntries([...results.entries].map(([key, entry]) => [key, storedResult(entry)]));
  const engine = results.engine
    ? {
        backend: results.engine.backend,
        threads: results.engine.threads,
        armsInParallel: results.engine.armsInParallel,
        contextSize: results.engine.contextSize,
        nodeLlamaCppVersion: results.engine.nodeLlamaCppVersion,
        kind: results.engine.kind,
        ...(results.engine.remote ? { remote: results.engine.remote } : {}),
      }
    : null;
  await writeFileAtomic(resultsPath(dir, suiteFile), `${JSON.stringify({ format: RESULTS_FORMAT, version: STORE_VERSION, engine, entries })}\n`);
}
