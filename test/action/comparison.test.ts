// The baseline comparison: matching suites and cases, the per-case diff, accuracy changes, the regression
// check, and its Markdown.
import { describe, expect, it } from "vitest";
import { renderComparison } from "../../src/action/comparison-markdown.js";
import { compareWithBaseline, newlyFailingCases, type CaseChange } from "../../src/action/comparison.js";
import { reportOf, rows } from "./reports.js";

describe("compareWithBaseline", () => {
  it("finds nothing changed between identical runs", () => {
    const report = reportOf({ cases: rows(10, { fewShot: [2] }) });
    const comparison = compareWithBaseline(report, report, 0);
    expect(comparison.suites).toHaveLength(1);
    const [suite] = comparison.suites;
    expect(suite).toMatchObject({ newlyFailing: [], newlyPassing: [], matchedCases: 10, newCases: 0, removedCases: 0 });
    expect(suite!.accuracy.few_shot).toEqual({ before: 0.9, after: 0.9, changePoints: 0 });
    expect(suite!.regression).toEqual({ dropPoints: -0, limitPoints: 0, failed: false });
    expect(comparison).toMatchObject({ newSuites: [], removedSuites: [], regressed: [] });
  });

  it("lists newly failing and newly passing cases per arm; a case can be both", () => {
    const before = reportOf({ cases: rows(10, { fewShot: [3, 4], lora: [5] }) });
    const now = reportOf({ cases: rows(10, { fewShot: [4, 6], lora: [3] }) });
    const [suite] = compareWithBaseline(now, before, undefined).suites;
    const summary = (changes: CaseChange[]) => changes.map((c) => [c.case.input, c.arms.few_shot, c.arms.lora]);
    expect(summary(suite!.newlyFailing)).toEqual([
      ["case 3", "newly-passing", "newly-failing"],
      ["case 6", "newly-failing", "still-passing"],
    ]);
    expect(summary(suite!.newlyPassing)).toEqual([
      ["case 3", "newly-passing", "newly-failing"],
      ["case 5", "still-passing", "newly-passing"],
    ]);
    expect(suite!.regression).toBeUndefined();
    expect([...newlyFailingCases(compareWithBaseline(now, before, undefined))].map((c) => c.input)).toEqual(["case 3", "case 6"]);
    expect(newlyFailingCases(undefined).size).toBe(0);
  });

  it("matches repeated inputs by occurrence, and counts unmatched cases without diffing them", () => {
    const before = reportOf({
      cases: [
        ["Hi", "yes", "yes", "yes"],
        ["Hi", "no", "no", "no"],
        ["gone", "yes", "yes", "yes"],
      ],
    });
    const now = reportOf({
      cases: [
        ["new", "yes", "no", "no"],
        ["Hi", "yes", "yes", "yes"],
        ["Hi", "no", "yes", "no"],
      ],
    });
    const [suite] = compareWithBaseline(now, before, undefined).suites;
    expect(suite!.newlyFailing.map((c) => [c.case.input, c.case.expected, c.arms.few_shot])).toEqual([["Hi", "no", "newly-failing"]]);
    expect(suite).toMatchObject({ matchedCases: 2, newCases: 1, removedCases: 1, newlyPassing: [] });
  });

  it("compares the reported accuracies, so added cases count, and fails only beyond the limit", () => {
    const before = reportOf({ cases: rows(20) });
    const dropFive = reportOf({ cases: rows(20, { fewShot: [1] }) }); // 100% → 95%: exactly 5 points
    expect(compareWithBaseline(dropFive, before, 5).regressed).toEqual([]);
    const atFive = compareWithBaseline(dropFive, before, 5).suites[0]!.regression!;
    expect(atFive.failed).toBe(false);
    expect(atFive.dropPoints).toBeCloseTo(5, 12);
    expect(compareWithBaseline(dropFive, before, 4.99).regressed).toHaveLength(1);

    const withHarderCases = reportOf({ cases: [...rows(20), ["hard 1", "yes", "no", "yes"], ["hard 2", "yes", "no", "yes"]] });
    const comparison = compareWithBaseline(withHarderCases, before, 5);
    expect(comparison.suites[0]).toMatchObject({ newlyFailing: [], newCases: 2 });
    expect(comparison.suites[0]!.regression!.dropPoints).toBeCloseTo(100 - (100 * 20) / 22, 9);
    expect(comparison.regressed).toHaveLength(1);

    const better = compareWithBaseline(before, dropFive, 0).suites[0]!;
    expect(better.regression!.failed).toBe(false);
    expect(better.accuracy.few_shot.changePoints).toBeCloseTo(5, 12);
  });

  it("checks the LoRA arm for nothing but reports its change", () => {
    const before = reportOf({ cases: rows(10) });
    const now = reportOf({ cases: rows(10, { lora: [1, 2, 3] }) });
    const comparison = compareWithBaseline(now, before, 1);
    expect(comparison.regressed).toEqual([]);
    expect(comparison.suites[0]!.accuracy.lora.changePoints).toBeCloseTo(-30, 12);
  });

  it("matches suites by name across moved files, and by name and file when a name repeats", () => {
    const before = reportOf({ name: "triage", file: "old/triage.cases.yaml", cases: rows(4) }, { name: "gone", cases: rows(2) });
    const now = reportOf({ name: "triage", file: "new/triage.cases.yaml", cases: rows(4, { fewShot: [1] }) }, { name: "fresh", file: "fresh.cases.yaml", cases: rows(2) });
    const comparison = compareWithBaseline(now, before, undefined);
    expect(comparison.suites.map((s) => [s.suite.name, s.newlyFailing.length])).toEqual([["triage", 1]]);
    expect(comparison).toMatchObject({ newSuites: ["fresh"], removedSuites: ["gone"] });

    const twins = (fewShotMissed: number[]) =>
      reportOf({ name: "same", file: "a.cases.yaml", cases: rows(3) }, { name: "same", file: "b.cases.yaml", cases: rows(3, { fewShot: fewShotMissed }) });
    const pair = compareWithBaseline(twins([1]), twins([]), undefined);
    expect(pair.suites.map((s) => [s.suite.file, s.newlyFailing.length])).toEqual([
      ["a.cases.yaml", 0],
      ["b.cases.yaml", 1],
    ]);
    // A name repeated on one side only is matched by name and file on both.
    const single = reportOf({ name: "same", file: "a.cases.yaml", cases: rows(3) });
    expect(compareWithBaseline(single, twins([]), undefined).suites.map((s) => s.suite.file)).toEqual(["a.cases.yaml"]);
    expect(compareWithBaseline(single, twins([]), undefined).removedSuites).toEqual(["same"]);
  });
});

describe("renderComparison", () => {
  it("tabulates both arms' accuracy change and the regression check, then the changed cases with links", () => {
    const before = reportOf({ name: "triage | main", cases: rows(10, { lora: [5] }) });
    const now = reportOf({ name: "triage | main", cases: rows(10, { fewShot: [6], lora: [] }) });
    const markdown = renderComparison(compareWithBaseline(now, before, 5), {
      baselineLabel: "baseline/tunegate_report.json",
      fileLink: (file, line) => `https://github.com/o/r/blob/sha/${file}#L${line}`,
    });
    expect(markdown).toContain("Baseline: baseline/tunegate\\_report.json.");
    expect(markdown).toContain("| triage \\| main | 100.0% → 90.0% (-10.0) | 90.0% → 100.0% (+10.0) | 1 | 1 | 0 / 0 | ❌ few-shot fell 10.0 points (limit 5.0) |");
    expect(markdown).toContain("### ❌ Against the baseline: few-shot accuracy regressed");
    expect(markdown).toContain(
      "| triage \\| main | [suites/support.cases.yaml:15](https://github.com/o/r/blob/sha/suites/support.cases.yaml#L15) | case 6 | yes | ✅ → ❌ no | ✅ yes |",
    );
    expect(markdown).toContain("**Newly passing (1)**");
    expect(markdown).toContain("| ✅ yes | ❌ → ✅ yes |");
  });

  it("says when there is no check, what was not compared, and when nothing changed", () => {
    const before = reportOf({ name: "a", cases: rows(3) }, { name: "old", cases: rows(1) });
    const now = reportOf({ name: "a", cases: [...rows(3), ["extra", "yes", "yes", "yes"]] }, { name: "new", cases: rows(1) });
    const markdown = renderComparison(compareWithBaseline(now, before, undefined), { baselineLabel: "b.json" });
    expect(markdown.startsWith("### Against the baseline\n\nBaseline: b.json.\n")).toBe(true);
    expect(markdown).toContain("| not checked |");
    expect(markdown).toContain("No regression check: `max-regression-points` is not set.");
    expect(markdown).toContain("Not compared, no counterpart: new (new), old (only in the baseline).");
    expect(markdown).toContain("1 case new in this run and 0 cases only in the baseline are not in the per-case diff.");
    expect(markdown).toContain("No case changed its result in either arm.");
    expect(renderComparison(compareWithBaseline(now, before, 3), { baselineLabel: "b.json" })).toContain("| ✅ no drop |");
  });

  it("cuts long change lists", () => {
    const before = reportOf({ cases: rows(60) });
    const now = reportOf({ cases: rows(60, { fewShot: Array.from({ length: 60 }, (_, i) => i + 1) }) });
    const markdown = renderComparison(compareWithBaseline(now, before, undefined), { baselineLabel: "b.json", maxCaseRows: 5 });
    expect(markdown).toContain("**Newly failing (60)**");
    expect(markdown).toContain("… and 55 more.");
    expect(markdown.match(/✅ → ❌/g)).toHaveLength(5);
  });
});
