// The record each tunegate test carries in its meta: a suite run must come back from it exactly (it is all a
// `vitest --merge-reports` process has), through JSON as a blob report stores it, -Infinity scores included.
import { describe, expect, it } from "vitest";
import { buildReport, buildSuiteReport } from "../../src/report/build.js";
import { decodeNumbers, encodeNumbers } from "../../src/text/json-numbers.js";
import { ARMS } from "../../src/types.js";
import { buildSuitePayload } from "../../src/vitest/payload.js";
import { loadSuitePayload } from "../../src/vitest/assertions.js";
import { PayloadFiles } from "../../src/vitest/payload-files.js";
import { caseMeta, gateMeta, isWarnedMiss, rebuildSuiteRun, type TunegateTestMeta } from "../../src/vitest/test-meta.js";
import { makeSuiteRun, ROOT } from "../report/suite-run-factory.js";

const run = makeSuiteRun({
  callsPerDay: 250_000,
  cases: [
    { input: "broken", expected: "complaint", must: true, fewShot: { predicted: "complaint", scores: { complaint: -0.1, inquiry: -Infinity } }, lora: "complaint" },
    { input: "hours?", expected: "inquiry", fewShot: "complaint", lora: "inquiry" },
    { input: "thanks", expected: "praise", fewShot: { predicted: "praise", latencyMs: 0.25 }, lora: "inquiry" },
  ],
});

/** The payload as the worker reads it: written by the plugin's PayloadFiles, read back by the generated module. */
const files = new PayloadFiles();
const payload = await loadSuitePayload(await files.write(buildSuitePayload(run, buildSuiteReport(run))));
files.removeAll();

/** Every test's meta as a merge process reads it: built in the worker from the module's payload, then through JSON. */
function metasThroughBlob(): TunegateTestMeta[] {
  const metas = [gateMeta(payload), ...ARMS.flatMap((arm) => payload.cases.map((_, i) => caseMeta(payload, arm, i)))].map((meta) => meta.tunegate);
  return JSON.parse(JSON.stringify(metas)) as TunegateTestMeta[];
}

describe("JSON with every number", () => {
  it("keeps non-finite numbers through JSON and leaves everything else as it was", () => {
    const value = { a: [Infinity, -Infinity, NaN, 0, -0.5, 1e308], b: { $number: "Infinity", other: 1 }, c: "Infinity", d: null, e: { $number: "nope" } };
    const back = decodeNumbers<typeof value>(JSON.parse(JSON.stringify(encodeNumbers(value))));
    expect(back.a).toEqual([Infinity, -Infinity, NaN, 0, -0.5, 1e308]);
    expect(back.b).toEqual({ $number: "Infinity", other: 1 });
    expect(back.c).toBe("Infinity");
    expect(back.d).toBeNull();
    expect(back.e).toEqual({ $number: "nope" });
  });
});

describe("a suite run rebuilt from its tests' meta", () => {
  it("is the run itself, so the report is the same", () => {
    const rebuilt = rebuildSuiteRun(metasThroughBlob());
    expect(rebuilt).toEqual(run);
    if (typeof rebuilt === "string") throw new Error(rebuilt);
    expect(rebuilt.arms.few_shot.cases[0]!.scores.inquiry).toBe(-Infinity);
    const now = new Date(0);
    expect(buildReport([rebuilt], { root: ROOT, now })).toEqual(buildReport([run], { root: ROOT, now }));
  });

  it("does not depend on the order the tests come in", () => {
    expect(rebuildSuiteRun(metasThroughBlob().reverse())).toEqual(run);
  });

  it("says what is missing instead of reporting part of a suite", () => {
    const metas = metasThroughBlob();
    expect(rebuildSuiteRun(metas.filter((meta) => meta.kind !== "gate"))).toMatch(/no gate test/);
    const withoutOne = metas.filter((meta) => !(meta.kind === "case" && meta.arm === "lora" && meta.index === 2));
    expect(rebuildSuiteRun(withoutOne)).toBe("its results are incomplete (2 of 3 lora cases recorded)");
    const outOfRange = metas.map((meta) => (meta.kind === "case" && meta.arm === "lora" && meta.index === 2 ? { ...meta, index: 7 } : meta));
    expect(rebuildSuiteRun(outOfRange)).toMatch(/incomplete/);
  });

  it("marks the misses that only warn", () => {
    const warned = metasThroughBlob().filter(isWarnedMiss).map((meta) => `${meta.arm}:${meta.index}`);
    // Case 0 is a must case (no miss); few-shot misses case 1, LoRA case 2; misses: warn.
    expect(warned.sort()).toEqual(["few_shot:1", "lora:2"]);
  });
});

describe("a shard's run rebuilt from its tests' meta", () => {
  // Shard 2 of 3 holding the suite's cases 0 and 2: each keeps its index in the whole suite.
  const shardRun = {
    ...run,
    suite: { ...run.suite, cases: [run.suite.cases[0]!, run.suite.cases[2]!] },
    arms: {
      few_shot: { ...run.arms.few_shot, cases: [run.arms.few_shot.cases[0]!, run.arms.few_shot.cases[2]!] },
      lora: { ...run.arms.lora, cases: [run.arms.lora.cases[0]!, run.arms.lora.cases[2]!] },
    },
    shard: { index: 2, count: 3, casesTotal: 3, suiteSha256: "e".repeat(64), sha256: { fewShotModel: null, loraModel: null, adapter: null } },
  };

  it("keeps the cases' own indexes and the shard, and has no gate: its misses neither fail nor warn", async () => {
    const shardFiles = new PayloadFiles();
    const shardPayload = await loadSuitePayload(await shardFiles.write(buildSuitePayload(shardRun, undefined)));
    shardFiles.removeAll();
    expect(shardPayload.gate).toBeNull();
    expect(shardPayload.shard).toEqual({ index: 2, count: 3 });
    const metas = [gateMeta(shardPayload), ...ARMS.flatMap((arm) => shardPayload.cases.map((_, i) => caseMeta(shardPayload, arm, i)))].map((meta) => meta.tunegate);
    expect(metas[0]!.gate).toBeUndefined();
    // The third case's LoRA miss would warn in a whole run.
    expect(metas.filter(isWarnedMiss)).toEqual([]);
    const rebuilt = rebuildSuiteRun(JSON.parse(JSON.stringify(metas)) as TunegateTestMeta[]);
    expect(rebuilt).toEqual(shardRun);
    if (typeof rebuilt === "string") throw new Error(rebuilt);
    expect(rebuilt.suite.cases.map((c) => c.index)).toEqual([0, 2]);
  });
});
