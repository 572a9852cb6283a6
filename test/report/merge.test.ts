// Merging the parts of a sharded run: parts cut from one hand-made run merge back into the report of the
// whole run, and every way a set of parts can fail to be one run's is refused with a message that names it.
import { describe, expect, it } from "vitest";
import { buildReport } from "../../src/report/build.js";
import { mergeParts, readPart, type NamedPart } from "../../src/report/merge.js";
import { buildPartialReport, partialToJson, type PartialReport } from "../../src/report/partial.js";
import { reportToJson } from "../../src/report/build.js";
import { casesOfShard, suiteContentSha256 } from "../../src/suite/shards.js";
import type { ArmName, SuiteRun } from "../../src/types.js";
import { makeSuiteRun, ROOT, type CaseSpec } from "./suite-run-factory.js";

const NOW = new Date("2026-01-02T03:04:05Z");
const LABELS = ["complaint", "praise", "inquiry"];

function caseSpecs(count: number): CaseSpec[] {
  return Array.from({ length: count }, (_, i) => {
    const expected = LABELS[i % 3]!;
    return {
      input: `message ${i}`,
      expected,
      must: i === 4,
      fewShot: { predicted: i % 4 === 0 ? LABELS[(i + 1) % 3]! : expected, latencyMs: 5 + (i % 7), promptTokens: 120 + i, scores: { complaint: -0.5 - i / 100, praise: -Infinity, inquiry: -2 } },
      lora: { predicted: i % 9 === 0 ? LABELS[(i + 2) % 3]! : expected, latencyMs: 3 + (i % 5), promptTokens: 20 + i },
    };
  });
}

const WHOLE = makeSuiteRun({ labels: LABELS, cases: caseSpecs(30), cost: { currency: "EUR", fewShot: { inputPerMillion: 1, outputPerMillion: 2 }, lora: { inputPerMillion: 0.5, outputPerMillion: 2 }, fineTuneOneOff: 300 } });
const SHA = { fewShotModel: "a".repeat(64), loraModel: "a".repeat(64), adapter: "b".repeat(64) };

/** The run of shard `index` of `count`, as the plugin makes it: the shard's cases only, each keeping its index. */
function shardRun(whole: SuiteRun, index: number, count: number): SuiteRun {
  const cases = casesOfShard(whole.suite.cases, { index, count });
  const positions = cases.map((c) => whole.suite.cases.indexOf(c));
  const arm = (name: ArmName) => ({ ...whole.arms[name], cases: positions.map((i) => whole.arms[name].cases[i]!), tokensEvaluated: 100 * cases.length, tokensMinimum: 80 * cases.length, wallMs: 10 * cases.length });
  return {
    ...whole,
    suite: { ...whole.suite, cases },
    arms: { few_shot: arm("few_shot"), lora: arm("lora") },
    engine: { ...whole.engine, modelLoadMs: 300 + index },
    shard: { index, count, casesTotal: whole.suite.cases.length, suiteSha256: suiteContentSha256(whole.suite), sha256: SHA },
  };
}

function parts(count: number, whole: SuiteRun = WHOLE): NamedPart[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `parts/${i + 1}.json`,
    report: buildPartialReport([shardRun(whole, i + 1, count)], { root: ROOT, now: NOW, tunegateVersion: "9.9.9" }),
  }));
}

/** A part through its JSON file and back, with `edit` applied to the JSON. */
function edited(part: NamedPart, edit: (json: PartialReport) => void): NamedPart {
  const json = JSON.parse(partialToJson(part.report)) as PartialReport;
  edit(json);
  return { name: part.name, report: json };
}

function problemsOf(given: NamedPart[]): string[] {
  const merged = mergeParts(given, ROOT);
  if (merged.ok) throw new Error("the parts were merged");
  return merged.problems;
}

/** The report of the whole run, without the fields that add up what each machine did. */
function comparable(json: string): unknown {
  const report = JSON.parse(json) as { suites: Array<{ arms: Record<string, Record<string, unknown>>; engine: Record<string, unknown> }> };
  for (const suite of report.suites) {
    for (const arm of Object.values(suite.arms)) {
      delete arm.tokens_evaluated;
      delete arm.tokens_minimum;
      delete arm.wall_ms;
    }
    delete suite.engine.model_load_ms;
  }
  return report;
}

describe("mergeParts", () => {
  it.each([1, 2, 3, 5, 7])("puts %i parts back into the report of the whole run, every figure recomputed", (count) => {
    const given = parts(count);
    // Through JSON, as the parts travel between machines.
    const merged = mergeParts(given.map((part) => ({ name: part.name, report: JSON.parse(partialToJson(part.report)) as PartialReport })), ROOT);
    expect(merged.ok && merged.value.length).toBe(1);
    if (!merged.ok) return;
    const whole = reportToJson(buildReport([WHOLE], { root: ROOT, now: NOW }));
    const again = reportToJson(buildReport(merged.value, { root: ROOT, now: NOW }));
    expect(comparable(again)).toEqual(comparable(whole));
    // What the machines did between them: summed, the slowest load.
    const arms = merged.value[0]!.arms;
    expect(arms.few_shot.tokensEvaluated).toBe(100 * WHOLE.suite.cases.length);
    expect(arms.lora.tokensMinimum).toBe(80 * WHOLE.suite.cases.length);
    expect(arms.lora.wallMs).toBe(10 * WHOLE.suite.cases.length);
    expect(merged.value[0]!.engine.modelLoadMs).toBe(300 + count);
  });

  it("merges a suite some shards have no case of", () => {
    const small = makeSuiteRun({ labels: LABELS, cases: caseSpecs(2) });
    const given = parts(7, small);
    expect(given.some((part) => part.report.suites[0]!.cases.length === 0)).toBe(true);
    const merged = mergeParts(given, ROOT);
    expect(merged.ok).toBe(true);
  });

  it("refuses a missing shard, naming it", () => {
    const given = parts(3);
    expect(problemsOf([given[0]!, given[2]!])).toEqual([expect.stringMatching(/^shard 2\/3 is missing/)]);
  });

  it("refuses a shard given twice, naming both files", () => {
    const given = parts(3);
    expect(problemsOf([...given, { ...given[1]!, name: "copy/2.json" }])).toEqual(["shard 2/3 is given more than once: parts/2.json and copy/2.json"]);
  });

  it("refuses parts of different splits", () => {
    expect(problemsOf([...parts(2), parts(3)[2]!])[0]).toMatch(/parts\/1\.json is one of 2 shards, but parts\/3\.json one of 3/);
  });

  it("refuses parts of another suite's content, models, adapter or engine, naming the files", () => {
    const given = parts(3);
    const cases: Array<[(json: PartialReport) => void, RegExp]> = [
      [(json) => (json.suites[0]!.suite_sha256 = "c".repeat(64)), /suite suites\/support\.yaml: the suite's content .* differs between parts\/1\.json and parts\/3\.json/],
      [(json) => (json.suites[0]!.models.few_shot.sha256 = "c".repeat(64)), /the base model differs/],
      [(json) => (json.suites[0]!.models.adapter.scale = 0.5), /the adapter differs/],
      [(json) => (json.suites[0]!.thresholds.within_points = 1), /thresholds, misses policy and prices differs/],
      [(json) => (json.suites[0]!.engine.backend = "cuda"), /the engine .* differs between parts\/1\.json and parts\/3\.json/],
      [(json) => (json.tunegate_version = "1.0.0"), /by another version/],
      [(json) => (json.suites[0]!.file = "suites/other.yaml"), /suite suites\/other\.yaml is in parts\/3\.json but not in parts\/1\.json, parts\/2\.json/],
    ];
    for (const [edit, message] of cases) {
      const problems = problemsOf([given[0]!, given[1]!, edited(given[2]!, edit)]);
      expect(problems.join("\n")).toMatch(message);
    }
  });

  it("refuses a case missing, duplicated, out of range or in the wrong shard", () => {
    const given = parts(3);
    const moved = given[0]!.report.suites[0]!.cases[0]!;
    expect(problemsOf([edited(given[0]!, (json) => json.suites[0]!.cases.shift()), given[1]!, given[2]!])).toEqual([
      `suite suites/support.yaml: 1 of 30 cases are in no part (case ${moved.index})`,
    ]);
    expect(problemsOf([given[0]!, edited(given[1]!, (json) => json.suites[0]!.cases.push(moved)), given[2]!])).toEqual([
      `suite suites/support.yaml: case ${moved.index} appears more than once across the parts`,
    ]);
    expect(problemsOf([given[0]!, edited(given[1]!, (json) => (json.suites[0]!.cases[0]!.index = 30)), given[2]!]).join("\n")).toMatch(/case index 30 is beyond its 30 cases/);
    expect(problemsOf([edited(given[0]!, (json) => json.suites[0]!.cases.shift()), edited(given[1]!, (json) => json.suites[0]!.cases.push(moved)), given[2]!])).toEqual([
      `suite suites/support.yaml: case ${moved.index} came from a shard that does not run it; the parts were not split by this tunegate's --shard`,
    ]);
  });

  it("refuses a record whose correct flag or prediction contradicts the suite", () => {
    const given = parts(2);
    const record = given[0]!.report.suites[0]!.cases[0]!;
    const flipped = edited(given[0]!, (json) => (json.suites[0]!.cases[0]!.lora.correct = !record.lora.correct));
    expect(problemsOf([flipped, given[1]!])).toEqual([expect.stringMatching(new RegExp(`^parts/1\\.json: case ${record.index} \\(lora\\) says correct: ${!record.lora.correct}`))]);
    const unknown = edited(given[0]!, (json) => (json.suites[0]!.cases[0]!.few_shot.predicted = "spam"));
    expect(problemsOf([unknown, given[1]!]).join("\n")).toMatch(/predicts "spam", which is no label of the suite/);
  });
});

describe("readPart", () => {
  const part = parts(2)[0]!;
  const text = partialToJson(part.report);

  it("reads a part written by buildPartialReport", () => {
    expect(readPart("p.json", text)).toEqual({ ok: true, value: part.report });
  });

  it.each([
    ["not JSON", "{", /^p\.json is not JSON/],
    ["a whole run's report", reportToJson(buildReport([WHOLE], { root: ROOT, now: NOW })), /^p\.json is a whole run's report, not a shard's part/],
    ["an unknown key", text.replace('"tool": "tunegate",', '"tool": "tunegate", "verdict": "fine-tune",'), /^p\.json is not a tunegate partial report of version 1: the top level has an unknown key "verdict"/],
    ["a wrong type", text.replace(/"cases_total": 30/, '"cases_total": "30"'), /\/suites\/0\/cases_total must be integer/],
    ["a missing field", text.replace(/"shard": 1,/, ""), /\/partial must have required property 'shard'/],
    ["a shard beyond the limit", text.replace(/"shards": 2,/, '"shards": 100000,'), /\/partial\/shards must be <= 10000/],
    ["a bad hash", text.replace(/"suite_sha256": "[0-9a-f]+"/, '"suite_sha256": "nope"'), /suite_sha256 must match pattern/],
    ["null", "null", /the top level must be object/],
  ])("refuses %s, naming the file", (_what, given, message) => {
    const read = readPart("p.json", given);
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.problems.join("\n")).toMatch(message);
  });

  it.each([
    ["broken JSON whose text holds a workflow command", 'x\n::error::owned\n'],
    ["an unknown key holding a workflow command", text.replace('"tool": "tunegate",', '"tool": "tunegate", "x\\n::error::owned": 1,')],
  ])("keeps %s on one line", (_what, given) => {
    const read = readPart("p.json", given);
    expect(read.ok).toBe(false);
    if (!read.ok) for (const problem of read.problems) expect(problem).not.toMatch(/[\r\n]/);
  });
});
