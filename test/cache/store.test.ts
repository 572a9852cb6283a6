// The cache's files on disk are untrusted: whatever is damaged, truncated or tampered with is ignored with a
// warning, never used; what is whole comes back exactly as it was written.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  hashesPath,
  readCachedResult,
  readHashes,
  readSuiteResults,
  resultsPath,
  writeHashes,
  writeSuiteResults,
  type CachedResult,
  type ResultShape,
} from "../../src/cache/store.js";
import type { EngineInfo } from "../../src/types.js";
import { temporaryDir } from "../helpers/forged.js";

const LABELS = ["billing", "bug", "praise"];
const LOGPROB: ResultShape = { labels: LABELS, scoring: "logprob" };
const GENERATE: ResultShape = { labels: LABELS, scoring: "generate" };
const SUITE = "/project/evals/support.cases.yaml";
const ENGINE: EngineInfo = { backend: "cpu", threads: 2, armsInParallel: true, contextSize: 512, modelLoadMs: 123, nodeLlamaCppVersion: "3.21.1", kind: "local" };

const entry = (overrides: Partial<CachedResult["result"]> = {}): CachedResult => ({
  result: { predicted: "bug", scores: { billing: -3.5, bug: -0.25, praise: -Infinity }, confidence: 0.9, margin: 3.25, latencyMs: 12.5, promptTokens: 40, outputTokens: 1, ...overrides },
  measuredAt: "2026-12-01T05:00:00.000Z",
  multiTokenLabels: ["praise"],
  contextSize: 256,
});
const generated: CachedResult = {
  result: { predicted: "invalid", scores: {}, confidence: 0, margin: 0, latencyMs: 40, promptTokens: 30, outputTokens: 3, generated: "You c" },
  measuredAt: "2026-12-01T05:00:01.5Z",
  multiTokenLabels: [],
  contextSize: 256,
};

function collect(): { warn: (message: string) => void; warnings: string[] } {
  const warnings: string[] = [];
  return { warn: (message) => warnings.push(message), warnings };
}

describe("suite results", () => {
  it("come back exactly as written, non-finite numbers included, with the engine info (load time not kept)", async () => {
    const dir = temporaryDir();
    const entries = new Map([
      ["k1", entry()],
      ["k2", entry({ predicted: "praise", confidence: Number.NaN, margin: Infinity })],
    ]);
    await writeSuiteResults(dir, SUITE, { entries, engine: ENGINE });
    const { warn, warnings } = collect();
    const read = await readSuiteResults(dir, SUITE, new Map([["k1", LOGPROB], ["k2", LOGPROB], ["k3", LOGPROB]]), warn);
    expect(warnings).toEqual([]);
    expect(read.entries).toEqual(entries);
    expect(read.engine).toEqual({ ...ENGINE, modelLoadMs: 0 });
  });

  it("keep generate-mode results with their text, and only the keys asked for", async () => {
    const dir = temporaryDir();
    await writeSuiteResults(dir, SUITE, { entries: new Map([["g", generated], ["other", generated]]), engine: undefined });
    const read = await readSuiteResults(dir, SUITE, new Map([["g", GENERATE]]), collect().warn);
    expect([...read.entries]).toEqual([["g", generated]]);
    expect(read.engine).toBeUndefined();
  });

  it("are kept per suite file: another suite's file reads nothing", async () => {
    const dir = temporaryDir();
    await writeSuiteResults(dir, SUITE, { entries: new Map([["k1", entry()]]), engine: ENGINE });
    const read = await readSuiteResults(dir, "/project/evals/other.cases.yaml", new Map([["k1", LOGPROB]]), collect().warn);
    expect(read.entries.size).toBe(0);
  });

  it("read nothing, silently, when the cache is empty", async () => {
    const { warn, warnings } = collect();
    expect((await readSuiteResults(temporaryDir(), SUITE, new Map([["k1", LOGPROB]]), warn)).entries.size).toBe(0);
    expect(warnings).toEqual([]);
  });

  async function damaged(text: string): Promise<{ size: number; warnings: string[] }> {
    const dir = temporaryDir();
    await writeSuiteResults(dir, SUITE, { entries: new Map([["k1", entry()]]), engine: ENGINE });
    const path = resultsPath(dir, SUITE);
    writeFileSync(path, text.replace("$WHOLE", readFileSync(path, "utf8")));
    const { warn, warnings } = collect();
    const read = await readSuiteResults(dir, SUITE, new Map([["k1", LOGPROB]]), warn);
    return { size: read.entries.size, warnings };
  }

  it("are ignored whole, with a warning, when the file is truncated, empty, not JSON or not a results file", async () => {
    const whole = await damaged("$WHOLE");
    expect(whole).toEqual({ size: 1, warnings: [] });
    const dir = temporaryDir();
    await writeSuiteResults(dir, SUITE, { entries: new Map([["k1", entry()]]), engine: ENGINE });
    const text = readFileSync(resultsPath(dir, SUITE), "utf8");
    for (const bad of [text.slice(0, Math.floor(text.length / 2)), "", "\u0000\u0000\u0000", "[]", "null", '{"format":"tunegate-file-hashes","version":1,"entries":{}}', '{"format":"tunegate-results","version":1}']) {
      const { size, warnings } = await damaged(bad);
      expect(size, JSON.stringify(bad)).toBe(0);
      expect(warnings, JSON.stringify(bad)).toHaveLength(1);
      expect(warnings[0]).toMatch(/^results\/[0-9a-f]{64}\.json (is not valid JSON|is not a tunegate-results file|has no entries)/);
    }
  });

  it("of another format version are ignored without a warning (not damage)", async () => {
    expect(await damaged('{"format":"tunegate-results","version":2,"entries":{}}')).toEqual({ size: 0, warnings: [] });
  });

  it("never name the cache folder in a warning (it may come from an environment variable)", async () => {
    const { warnings } = await damaged("{");
    expect(warnings.join("\n")).not.toContain("/tmp");
  });
});

/** A cached entry as JSON, open to any edit a tamperer could make. */
interface StoredEntry {
  [key: string]: unknown;
  result: { [key: string]: unknown; scores: Record<string, unknown> };
}

describe("a cached result is used only when it is a well-formed result for the suite as it is now", () => {
  const stored = (change: (value: StoredEntry) => void, base: CachedResult = entry()): unknown => {
    const value = JSON.parse(JSON.stringify({ ...base, result: { ...base.result, scores: Object.fromEntries(Object.entries(base.result.scores).map(([k, v]) => [k, Number.isFinite(v) ? v : String(v)])) } }));
    change(value);
    return value;
  };

  it("accepts the untouched entry", () => {
    expect(readCachedResult(stored(() => {}), LOGPROB)).toEqual(entry());
    expect(readCachedResult(stored(() => {}, generated), GENERATE)).toEqual(generated);
  });

  it.each<[string, (value: StoredEntry) => void]>([
    ["a prediction that is no label", (v) => (v.result.predicted = "refund")],
    ["'invalid' in logprob mode", (v) => (v.result.predicted = "invalid")],
    ["a missing label score", (v) => delete v.result.scores.praise],
    ["an extra label score", (v) => (v.result.scores.other = -1)],
    ["a score that is text", (v) => (v.result.scores.bug = "-0.25")],
    ["a score that is null", (v) => (v.result.scores.bug = null)],
    ["a confidence that is missing", (v) => delete v.result.confidence],
    ["a negative latency", (v) => (v.result.latencyMs = -1)],
    ["a latency that is text", (v) => (v.result.latencyMs = "12")],
    ["fractional prompt tokens", (v) => (v.result.promptTokens = 1.5)],
    ["zero prompt tokens", (v) => (v.result.promptTokens = 0)],
    ["negative output tokens", (v) => (v.result.outputTokens = -1)],
    ["generated text in logprob mode", (v) => (v.result.generated = "bug")],
    ["a measuring time that is no time", (v) => (v.measuredAt = "yesterday")],
    ["a measuring time that is no date", (v) => (v.measuredAt = "2026-13-45T99:00:00Z")],
    ["a multi-token label that is no label", (v) => (v.multiTokenLabels = ["other"])],
    ["a context size that is text", (v) => (v.contextSize = "256")],
    ["no result at all", (v) => delete (v as { result?: unknown }).result],
    ["a result that is an array", (v) => ((v as { result: unknown }).result = [])],
  ])("refuses %s", (_, change) => {
    expect(readCachedResult(stored(change), LOGPROB)).toBeUndefined();
  });

  it("refuses a generate-mode result without its text, or with label scores", () => {
    expect(readCachedResult(stored((v) => delete v.result.generated, generated), GENERATE)).toBeUndefined();
    expect(readCachedResult(stored((v) => (v.result.scores = { bug: -1 }), generated), GENERATE)).toBeUndefined();
  });

  it("refuses a result whose labels are not the suite's any more", () => {
    expect(readCachedResult(stored(() => {}), { labels: ["billing", "bug"], scoring: "logprob" })).toBeUndefined();
  });

  it("counts malformed entries of a file in one warning and keeps the well-formed ones", async () => {
    const dir = temporaryDir();
    await writeSuiteResults(dir, SUITE, { entries: new Map([["good", entry()], ["bad1", entry()], ["bad2", entry()]]), engine: ENGINE });
    const path = resultsPath(dir, SUITE);
    const data = JSON.parse(readFileSync(path, "utf8"));
    data.entries.bad1.result.predicted = "refund";
    data.entries.bad2 = "tampered";
    writeFileSync(path, JSON.stringify(data));
    const { warn, warnings } = collect();
    const read = await readSuiteResults(dir, SUITE, new Map([["good", LOGPROB], ["bad1", LOGPROB], ["bad2", LOGPROB]]), warn);
    expect([...read.entries.keys()]).toEqual(["good"]);
    expect(warnings).toEqual([expect.stringMatching(/^2 malformed entries in results\/[0-9a-f]{64}\.json ignored; their cases run again$/)]);
  });
});

describe("file hashes", () => {
  const identity = { dev: "2049", ino: "1234567", size: "1000", mtimeNs: "1764565200123456789", ctimeNs: "1764565200123456789" };

  it("come back as written", async () => {
    const dir = temporaryDir();
    const memo = new Map([["/models/base.gguf", { identity, sha256: "a".repeat(64) }]]);
    await writeHashes(dir, memo);
    const { warn, warnings } = collect();
    expect(await readHashes(dir, warn)).toEqual(memo);
    expect(warnings).toEqual([]);
  });

  it("drop malformed entries with one warning, and a damaged file whole", async () => {
    const dir = temporaryDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      hashesPath(dir),
      JSON.stringify({
        format: "tunegate-file-hashes",
        version: 1,
        files: {
          "/ok": { identity, sha256: "a".repeat(64) },
          "/short-hash": { identity, sha256: "abc" },
          "/upper-hash": { identity, sha256: "A".repeat(64) },
          "/no-ino": { identity: { ...identity, ino: undefined }, sha256: "a".repeat(64) },
          "/number-size": { identity: { ...identity, size: 1000 }, sha256: "a".repeat(64) },
        },
      }),
    );
    const first = collect();
    expect([...(await readHashes(dir, first.warn)).keys()]).toEqual(["/ok"]);
    expect(first.warnings).toEqual(["4 malformed entries in hashes.json ignored; those files are hashed again"]);
    writeFileSync(hashesPath(dir), '{"format":"tunegate-file-hashes","version":1,"files":{"/ok":');
    const second = collect();
    expect((await readHashes(dir, second.warn)).size).toBe(0);
    expect(second.warnings).toEqual(["hashes.json is not valid JSON (truncated or damaged); ignoring it"]);
  });
});

describe("paths", () => {
  it("keep each suite's results in its own file inside the folder", () => {
    expect(resultsPath("/c", SUITE)).toMatch(/^\/c\/results\/[0-9a-f]{64}\.json$/);
    expect(resultsPath("/c", SUITE)).not.toBe(resultsPath("/c", `${SUITE}x`));
    expect(hashesPath("/c")).toBe(join("/c", "hashes.json"));
  });
});
