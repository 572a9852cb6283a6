import { describe, expect, it } from "vitest";
import { buildReport } from "../../src/report/build.js";
import { renderTerminal } from "../../src/report/terminal.js";
import { displayWidth } from "../../src/text/width.js";
import type { Report } from "../../src/report/types.js";
import { smallReport } from "./small-report.js";
import { makeSuiteRun, pairedRun, ROOT } from "./suite-run-factory.js";

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[/;

const PINNED_80 = `support · suites/support.yaml · logprob scoring · 2 cases
Line  Input                         Expected  few-shot     LoRA     
----  ----------------------------  --------  -----------  ---------
  23  What are your opening hours?  inquiry   ✗ complaint  ✓ inquiry
1 case both arms got right not shown (--table all shows every case)

few-shot  accuracy 50.0% (1/2), macro-F1 0.333, latency mean 125 ms, p50 125 ms,
          p95 130 ms, 600 prompt + 2 output tokens/call
LoRA      accuracy 100.0% (2/2), macro-F1 1.000, latency mean 41 ms, p50 41 ms,
          p95 42 ms, 60 prompt + 2 output tokens/call
baseline  always "complaint" (majority class): accuracy 50.0% (1/2)
accuracy  few-shot  #####################.....................   50.0%
          LoRA      ##########################################  100.0%
decision    prompt wins   ship           LoRA wins, low volume
          ------[===============================o================]----
                        -5   +5  +15
delta     LoRA − few-shot = +50.0 points; the 95% interval (-27.3 to +90.5
          points) straddles -5, +5 and +15 points, so the verdict could fall
          either way; about 12 cases at the observed rates would settle it
          [Newcombe paired score interval]
mcnemar   few-shot only 0, LoRA only 1, exact two-sided p = 1
cost      few-shot 0.0000912 USD/call, 0.46 USD/day, 13.68 USD/month at 5,000
          calls/day (+540 prompt tokens/call vs LoRA)
          LoRA 0.0000102 USD/call, 0.05 USD/day, 1.53 USD/month at 5,000
          calls/day
          LoRA saves 0.41 USD a day, which repays the 500.00 USD fine-tune in
          1,234.6 days
warning   Few-shot predicted "complaint" for all 2 cases: check the few-shot
          examples and prompt
gate      WARN: verdict lora-wins-low-volume and fail_on: fine-tune
verdict   LORA-WINS-LOW-VOLUME: LoRA scored 100.0% and few-shot 50.0% on the
          same 2 cases: LoRA leads by 50.0 points (95% CI -27.3 to +90.5), at
          least 15, but at 5,000 calls a day (under the 100,000 threshold) token
          savings rarely repay the engineering; LoRA would save 0.41 USD/day,
          repaying the 500.00 USD fine-tune in 1,234.6 days; the interval
          straddles the -5, +5 and +15-point thresholds, and about 12 cases
          would settle it.
`;

const LONG_LABEL = "a-really-quite-extraordinarily-long-label-name-for-testing";

function awkwardReport(): Report {
  const run = makeSuiteRun({
    scoring: "generate",
    labels: ["x", LONG_LABEL],
    cases: [
      { input: "日本語のテキストはとても長いです。".repeat(3), expected: LONG_LABEL, fewShot: { predicted: "invalid", latencyMs: 12345.6 }, lora: LONG_LABEL },
      { input: "plain\ninput | with\ttabs and a very long tail ".repeat(4), expected: "x", fewShot: "x", lora: LONG_LABEL },
      { input: "emoji 😀 input", expected: "x", fewShot: "x", lora: "x" },
    ],
  });
  return buildReport([run, pairedRun({ both: 3, fewShotOnly: 1, loraOnly: 0, neither: 1 })], { root: ROOT, now: new Date(0) });
}

/** Splits a table line into cells using the widths of the dashed rule under the header. */
function columnsOf(rule: string): number[] {
  return rule.split("  ").map((dashes) => dashes.length);
}

function cellsOf(line: string, widths: number[]): string[] {
  const cells: string[] = [];
  let rest = line;
  for (const width of widths) {
    let cell = "";
    for (const ch of rest) {
      if (displayWidth(cell + ch) > width) break;
      cell += ch;
    }
    cells.push(cell);
    expect(displayWidth(cell)).toBe(width);
    rest = rest.slice(cell.length);
    if (rest.length > 0) {
      expect(rest.startsWith("  ")).toBe(true);
      rest = rest.slice(2);
    }
  }
  expect(rest).toBe("");
  return cells;
}

describe("renderTerminal", () => {
  it("renders a small report exactly (pinned)", () => {
    expect(renderTerminal(smallReport(), { color: false, width: 80 })).toBe(PINNED_80);
  });

  it("keeps every line within the width, at any width", () => {
    const report = awkwardReport();
    for (const width of [10, 20, 30, 40, 50, 60, 80, 100, 120, 160, 240]) {
      for (const color of [false, true]) {
        for (const line of renderTerminal(report, { color, width }).split("\n")) expect(displayWidth(line)).toBeLessThanOrEqual(width);
      }
    }
  });

  it("aligns the columns for long labels and wide characters, both arms on one row", () => {
    for (const width of [60, 80, 100, 200]) {
      const lines = renderTerminal(awkwardReport(), { color: false, width, table: "all" }).split("\n");
      const header = lines.findIndex((line) => line.startsWith("Line"));
      const widths = columnsOf(lines[header + 1] as string);
      expect(widths).toHaveLength(5);
      const header_cells = cellsOf(lines[header] as string, widths).map((c) => c.trim());
      expect(header_cells).toEqual(["Line", "Input", "Expected", "few-shot", "LoRA"]);
      const rows = lines.slice(header + 2, header + 5);
      expect(rows).toHaveLength(3);
      for (const row of rows) {
        const [line, input, expected, fewShot, lora] = cellsOf(row, widths).map((c) => c.trim());
        expect(line).toMatch(/^\d+$/);
        expect(input!.length).toBeGreaterThan(0);
        expect(LONG_LABEL.startsWith(expected!.replace(/…$/, "")) || expected === "x").toBe(true);
        for (const prediction of [fewShot, lora]) expect(prediction).toMatch(/^[✓✗] \S/);
      }
    }
  });

  it("shows one row per case: misses and disagreements by default, every case or none when asked", () => {
    const report = awkwardReport();
    const rowsOf = (table?: "all" | "misses" | "none") =>
      renderTerminal(report, { color: false, width: 200, ...(table ? { table } : {}) })
        .split("\n")
        .filter((line) => /^ *\d+ {2}/.test(line));
    // Suite 1: three cases, two of them missed by an arm; suite 2: 3 both right, 1 few-shot only, 1 neither.
    expect(rowsOf("all")).toHaveLength(3 + 5);
    expect(rowsOf()).toHaveLength(2 + 2);
    expect(rowsOf("misses")).toEqual(rowsOf());
    expect(rowsOf("none")).toEqual([]);
    expect(renderTerminal(report, { color: false, width: 200 })).toContain("3 cases both arms got right not shown (--table all shows every case)");
    expect(renderTerminal(report, { color: false, width: 200, table: "none" })).not.toContain("not shown");
  });

  it("lists a case the arms disagree on even when neither got it right", () => {
    const run = makeSuiteRun({ labels: ["a", "b", "c"], cases: [{ input: "both wrong, differently", expected: "a", fewShot: "b", lora: "c" }, { input: "both right", expected: "a", fewShot: "a", lora: "a" }] });
    const text = renderTerminal(buildReport([run], { root: ROOT, now: new Date(0) }), { color: false, width: 120 });
    expect(text).toMatch(/both wrong, differently +a +✗ b +✗ c/);
    expect(text).not.toMatch(/both right +a/);
  });

  it("shows what a generation wrote when it named no label, escaped and shortened", () => {
    const hostile = "You could say\n::error::pwned \u001b[31mred";
    const run = makeSuiteRun({ scoring: "generate", labels: ["a", "b"], cases: [{ input: "x", expected: "a", fewShot: { predicted: "invalid", generated: hostile }, lora: "a" }, { input: "y", expected: "b", fewShot: "b", lora: "b" }] });
    const text = renderTerminal(buildReport([run], { root: ROOT, now: new Date(0) }), { color: false, width: 120 });
    expect(text).toContain('✗ invalid ("You could s…")');
    expect(text).not.toContain("\u001b");
    expect(text).not.toMatch(/^::/m);
    const long = renderTerminal(buildReport([makeSuiteRun({ scoring: "generate", labels: ["a", "b"], cases: [{ input: "x", expected: "a", fewShot: { predicted: "invalid", generated: "\u001b[2J::x" }, lora: "a" }, { input: "y", expected: "b", fewShot: "b", lora: "b" }] })], { root: ROOT, now: new Date(0) }), { color: false, width: 120 });
    expect(long).toContain('invalid ("\\u001b[2J::x")');
  });

  it("marks right and wrong in colour when asked, and uses no colour codes otherwise", () => {
    expect(renderTerminal(awkwardReport(), { color: false, width: 100 })).not.toMatch(ANSI);
    const colored = renderTerminal(awkwardReport(), { color: true, width: 100 });
    expect(colored).toMatch(ANSI);
    expect(colored).toContain("\u001b[32m✓\u001b[39m");
    expect(colored).toContain("\u001b[31m✗\u001b[39m ");
  });

  it("ends with the gate's cause and the verdict for one suite, and the overall gate for several", () => {
    const single = renderTerminal(smallReport(), { color: false, width: 80 }).trimEnd().split("\n");
    const gateLine = single.findIndex((line) => line.startsWith("gate "));
    expect(single[gateLine]).toBe("gate      WARN: verdict lora-wins-low-volume and fail_on: fine-tune");
    expect(single[gateLine + 1]).toMatch(/^verdict {3}LORA-WINS-LOW-VOLUME: /);
    const verdictLine = single.findIndex((line) => line.startsWith("verdict"));
    expect(single.slice(verdictLine + 1).every((line) => line.startsWith("          "))).toBe(true);
    const several = renderTerminal(awkwardReport(), { color: false, width: 100 }).trimEnd().split("\n");
    expect(several.at(-1)).toBe("tunegate gate PASS: 2 suites, 2 pass, 0 warn, 0 fail");
  });

  it("leads a failed gate with the missed must case's place", () => {
    const run = makeSuiteRun({ labels: ["a", "b"], cases: [{ input: "x", expected: "a", fewShot: "a", lora: "b", must: true }, { input: "y", expected: "b", fewShot: "b", lora: "b" }] });
    const report = buildReport([run], { root: ROOT, now: new Date(0) });
    const lines = renderTerminal(report, { color: false, width: 120 }).split("\n");
    expect(lines.find((line) => line.startsWith("gate "))).toBe(`gate      FAIL: must case missed at ${report.suites[0]!.cases[0]!.file}:${report.suites[0]!.cases[0]!.line}`);
  });

  it("reports the majority-class baseline, and warns of an arm no better than it", () => {
    const run = makeSuiteRun({
      labels: ["a", "b"],
      cases: [
        { input: "1", expected: "a", fewShot: "a", lora: "a" },
        { input: "2", expected: "a", fewShot: "b", lora: "a" },
        { input: "3", expected: "a", fewShot: "a", lora: "a" },
        { input: "4", expected: "b", fewShot: "a", lora: "b" },
      ],
    });
    const text = renderTerminal(buildReport([run], { root: ROOT, now: new Date(0) }), { color: false, width: 200 });
    expect(text).toContain('baseline  always "a" (majority class): accuracy 75.0% (3/4)');
    expect(text).toContain('warning   Few-shot scored 50.0%, no better than always answering "a" (75.0%, the majority-class baseline)');
    expect(text).not.toContain("warning   LoRA");
  });

  it("defaults to 100 columns", () => {
    const text = renderTerminal(awkwardReport(), { color: false });
    expect(Math.max(...text.split("\n").map(displayWidth))).toBe(100);
  });

  it("shows the cost lines only when prices are given", () => {
    expect(renderTerminal(smallReport(), { color: false })).toMatch(/^cost {6}few-shot/m);
    expect(renderTerminal(awkwardReport(), { color: false })).not.toMatch(/^cost /m);
  });
});

describe("renderTerminal on a long suite", () => {
  it("renders 60,000 cases without overflowing the stack", () => {
    const report = buildReport([pairedRun({ both: 30_000, fewShotOnly: 10_000, loraOnly: 10_000, neither: 10_000 })], { root: ROOT, now: new Date(0) });
    const lines = renderTerminal(report, { color: false, width: 80 }).split("\n");
    expect(lines.filter((line) => /^ *\d+ {2}/.test(line) && /[✓✗] \S+ *$/.test(line))).toHaveLength(30_000);
    const all = renderTerminal(report, { color: false, width: 80, table: "all" }).split("\n");
    expect(all.filter((line) => /^ *\d+ {2}/.test(line) && /[✓✗] \S+ *$/.test(line))).toHaveLength(60_000);
  });
});
