// What the Action derives from a report: outputs (with the deciding suite), repository paths and links,
// annotations, and the composed, size-limited Markdown.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MAX_CASE_ANNOTATIONS, reportAnnotations } from "../../src/action/annotations.js";
import type { RunnerContext } from "../../src/action/context.js";
import { blobUrl, checkReportRoot, ReportLocations } from "../../src/action/locations.js";
import { runRoot } from "../../src/run/suites.js";
import { actionOutputs, decidingSuite } from "../../src/action/outputs.js";
import { COMMENT_MAX_CHARS, composeFailureMarkdown, composeReportMarkdown, measureChars, measureUtf8Bytes, truncateMarkdown } from "../../src/action/summary.js";
import { compareWithBaseline, newlyFailingCases } from "../../src/action/comparison.js";
import { renderComparison } from "../../src/action/comparison-markdown.js";
import { reportOf, ROOT, rows } from "./reports.js";

function context(overrides: Partial<RunnerContext> = {}): RunnerContext {
  return {
    workspace: ROOT,
    serverUrl: "https://github.com",
    apiUrl: "https://api.github.com",
    graphqlUrl: "https://api.github.com/graphql",
    repository: "acme/bot",
    sha: "0123456789abcdef0123456789abcdef01234567",
    eventName: "pull_request",
    eventPath: undefined,
    runId: "42",
    ...overrides,
  };
}

const pass = { name: "pass", file: "a.cases.yaml", cases: rows(10) };
// LoRA ahead by 20 points at high volume with the default fail_on (fine-tune) → fail.
const fail = { name: "fail", file: "b.cases.yaml", callsPerDay: 200_000, cases: rows(10, { fewShot: [1, 2] }) };
// LoRA ahead by 20 points at low volume → lora-wins-low-volume, warn.
const warn = { name: "warn", file: "c.cases.yaml", callsPerDay: 10, cases: rows(10, { fewShot: [3, 4] }) };
const warnToo = { name: "warn too", file: "d.cases.yaml", callsPerDay: 10, cases: rows(5, { fewShot: [1] }) };

describe("actionOutputs", () => {
  it("outputs one suite's figures exactly as the JSON report has them", () => {
    const report = reportOf(warn);
    const suite = report.suites[0]!;
    expect(actionOutputs(report, "/w/tunegate-report.json")).toEqual({
      verdict: "lora-wins-low-volume",
      gate: "warn",
      "few-shot-accuracy": "0.8",
      "lora-accuracy": "1",
      "delta-points": JSON.stringify(suite.delta_points),
      "report-path": "/w/tunegate-report.json",
      suites: JSON.stringify([{ name: "warn", file: "c.cases.yaml", verdict: "lora-wins-low-volume", gate: "warn", few_shot_accuracy: 0.8, lora_accuracy: 1, delta_points: suite.delta_points }]),
    });
  });

  it("with several suites, speaks for the suite with the worst gate, the first by file then name", () => {
    expect(decidingSuite(reportOf(pass, warn, warnToo)).name).toBe("warn");
    // Not the report's order, which is the order Vitest happened to run the files in.
    expect(decidingSuite(reportOf(warnToo, pass, warn)).name).toBe("warn");
    expect(decidingSuite(reportOf({ ...warn, name: "z" }, { ...warn, name: "b" })).name).toBe("b");
    expect(decidingSuite(reportOf(pass, warn, fail, warnToo)).name).toBe("fail");
    expect(decidingSuite(reportOf(pass, { ...pass, name: "pass 2" })).name).toBe("pass");
    const outputs = actionOutputs(reportOf(warn, pass, fail), "r.json");
    expect(outputs).toMatchObject({ verdict: "fine-tune", gate: "fail", "few-shot-accuracy": "0.8", "lora-accuracy": "1" });
    expect((JSON.parse(outputs.suites) as { name: string; gate: string }[]).map((s) => [s.name, s.gate])).toEqual([
      ["pass", "pass"],
      ["fail", "fail"],
      ["warn", "warn"],
    ]);
  });

  it("prints accuracies at full precision", () => {
    const outputs = actionOutputs(reportOf({ cases: rows(3, { fewShot: [1] }) }), "r.json");
    expect(outputs["few-shot-accuracy"]).toBe(String(2 / 3));
    expect(Number(outputs["delta-points"])).toBe(100 / 3);
  });
});

describe("ReportLocations", () => {
  it("recomputes the run's root as tunegate run does", () => {
    expect(runRoot("/w/evals", ["/w/evals/a.cases.yaml", "/w/evals/x/b.cases.yaml"])).toBe("/w/evals");
    expect(runRoot("/w/evals", ["/w/other/a.cases.yaml"])).toBe("/w");
    expect(runRoot("/w/evals", ["/elsewhere/a.cases.yaml"])).toBe("/");
    const report = reportOf({ file: "x/b.cases.yaml", cases: rows(1) });
    expect(checkReportRoot(report, ROOT, [join(ROOT, "x/b.cases.yaml")])).toEqual([]);
    expect(checkReportRoot(report, join(ROOT, "x"), [join(ROOT, "x/b.cases.yaml")])).toEqual(["x/b.cases.yaml"]);
  });

  it("gives repository paths inside the workspace and absolute paths outside it", () => {
    const inside = new ReportLocations(join(ROOT, "evals"), context());
    expect(inside.repositoryPath("suites/a.cases.yaml")).toBe("evals/suites/a.cases.yaml");
    expect(inside.annotationFile("suites/a.cases.yaml")).toBe("evals/suites/a.cases.yaml");
    const outside = new ReportLocations("/tmp/suites", context());
    expect(outside.repositoryPath("a.cases.yaml")).toBeUndefined();
    expect(outside.annotationFile("a.cases.yaml")).toBe("/tmp/suites/a.cases.yaml");
    expect(inside.repositoryPath("../../outside.csv")).toBeUndefined();
  });

  it("links to the commit's blob when every file is in the repository and the repository is known", () => {
    const report = reportOf({ file: "suites/a (v2).cases.yaml", cases: rows(1) });
    const link = new ReportLocations(ROOT, context()).fileLink(report)!;
    expect(link("suites/a (v2).cases.yaml", 12)).toBe("https://github.com/acme/bot/blob/0123456789abcdef0123456789abcdef01234567/suites/a%20%28v2%29.cases.yaml#L12");
    expect(new ReportLocations(ROOT, context({ repository: undefined })).fileLink(report)).toBeUndefined();
    expect(new ReportLocations(ROOT, context({ sha: undefined })).fileLink(report)).toBeUndefined();
    expect(new ReportLocations(ROOT, context({ workspace: "/elsewhere" })).fileLink(report)).toBeUndefined();
    expect(blobUrl("https://ghe.example.com", "o/r", "s", "dir/f#1.yaml", 3)).toBe("https://ghe.example.com/o/r/blob/s/dir/f%231.yaml#L3");
  });
});

describe("reportAnnotations", () => {
  const locations = new ReportLocations(ROOT, context());

  it("annotates each missed case on its line, must cases as errors, then each warning gate", () => {
    const report = reportOf({
      name: "triage",
      file: "s/t.cases.yaml",
      callsPerDay: 10,
      cases: [
        ["ok", "yes", "yes", "yes"],
        ["few-shot misses", "yes", "no", "yes"],
        ["both miss, must", "no", "yes", "yes", "must"],
      ],
    });
    expect(reportAnnotations(report, locations)).toEqual([
      {
        level: "warning",
        title: "tunegate · triage: missed by few-shot",
        message: '"few-shot misses": expected "yes"; few-shot predicted "no" (wrong), LoRA predicted "yes" (right).',
        file: "s/t.cases.yaml",
        line: 11,
        column: 7,
      },
      {
        level: "error",
        title: "tunegate · triage: must case missed by both arms",
        message: '"both miss, must": expected "no"; few-shot predicted "yes" (wrong), LoRA predicted "yes" (wrong).',
        file: "s/t.cases.yaml",
        line: 12,
        column: 7,
      },
    ]);
  });

  it("puts the warn gate's reason first, then the cases newly failing against the baseline, marked", () => {
    const report = reportOf(warn);
    const before = reportOf({ ...warn, cases: rows(10, { fewShot: [3] }) });
    const annotations = reportAnnotations(report, locations, newlyFailingCases(compareWithBaseline(report, before, undefined)));
    expect(annotations.map((a) => [a.level, a.title, a.line])).toEqual([
      ["warning", "tunegate · warn: gate warn (lora-wins-low-volume)", 1],
      ["warning", "tunegate · warn: missed by few-shot (newly, against the baseline)", 13],
      ["warning", "tunegate · warn: missed by few-shot", 12],
    ]);
    expect(annotations[0]!.message).toBe(report.suites[0]!.reason);
    expect(annotations[0]!.file).toBe("c.cases.yaml");
  });

  it(`stops at ${MAX_CASE_ANNOTATIONS} case annotations with a notice`, () => {
    const n = MAX_CASE_ANNOTATIONS + 5;
    const report = reportOf({ callsPerDay: 10, cases: rows(n, { lora: Array.from({ length: n }, (_, i) => i + 1) }) });
    const annotations = reportAnnotations(report, locations);
    expect(annotations.filter((a) => a.title.includes("missed by LoRA"))).toHaveLength(MAX_CASE_ANNOTATIONS);
    expect(annotations.find((a) => a.level === "notice")?.message).toBe(
      `5 more missed cases are not annotated (at most ${MAX_CASE_ANNOTATIONS}); the job summary and the JSON report list them all.`,
    );
  });
});

describe("Markdown for the summary and the comment", () => {
  it("puts the baseline comparison after the overview and failure notices under the heading", () => {
    const report = reportOf(pass);
    const comparison = renderComparison(compareWithBaseline(report, report, 1), { baselineLabel: "b.json" });
    const markdown = composeReportMarkdown({ report, comparison, failures: ["a: few-shot accuracy fell"] });
    expect(markdown.startsWith("## tunegate: ✅ pass\n\n> [!CAUTION]\n> a: few-shot accuracy fell\n")).toBe(true);
    const overview = markdown.indexOf("| Suite | Cases |");
    const against = markdown.indexOf("### Against the baseline");
    const suiteSection = markdown.indexOf("### pass");
    expect(overview).toBeGreaterThan(0);
    expect(against).toBeGreaterThan(overview);
    expect(suiteSection).toBeGreaterThan(against);
    expect(composeReportMarkdown({ report })).toBe(composeReportMarkdown({ report, failures: [] }));
  });

  it("shows a failure verbatim in a fence that a message's own backticks cannot close", () => {
    expect(composeFailureMarkdown(["a.yaml:3:1: error: `labels` is missing", "```"])).toBe(
      "## tunegate: ❌ could not run\n\n````text\na.yaml:3:1: error: `labels` is missing\n```\n````\n",
    );
    // A suite that quotes a longer run of backticks gets a longer fence.
    expect(composeFailureMarkdown(["name: x``````y"])).toBe("## tunegate: ❌ could not run\n\n```````text\nname: x``````y\n```````\n");
  });

  it("cuts at a line within the limit, closes an open <details>, and never splits a surrogate pair", () => {
    const text = ["# head", "<details>", "<summary>x</summary>", ...Array.from({ length: 500 }, (_, i) => `line ${i} 😀`), "</details>", "end"].join("\n");
    for (const limit of [300, 1000, 4000]) {
      for (const measure of [measureChars, measureUtf8Bytes]) {
        const cut = truncateMarkdown(text, limit, measure, "_cut_");
        expect(measure(cut)).toBeLessThanOrEqual(limit);
        expect(cut.endsWith("\n</details>\n\n\n_cut_\n")).toBe(true);
        expect(cut).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
        expect(text.startsWith(cut.slice(0, cut.indexOf("\n\n</details>")))).toBe(true);
      }
    }
    expect(truncateMarkdown("short", 10, measureChars, "x")).toBe("short");
    expect(truncateMarkdown("a".repeat(COMMENT_MAX_CHARS * 2), COMMENT_MAX_CHARS, measureChars, "note").length).toBeLessThanOrEqual(COMMENT_MAX_CHARS);
  });
});
