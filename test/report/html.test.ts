// The HTML report's pure parts: escaping, scales and bins, the decision zones, the difference matrix, the
// cost horizon, and the page as a string (determinism, its CSP, hostile text). How it looks and behaves in a
// browser is html-browser.test.ts.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { buildReport } from "../../src/report/build.js";
import { decisionDomain, decisionZones } from "../../src/report/decision-zones.js";
import { differenceMatrix } from "../../src/report/html/confusion-chart.js";
import { costHorizon } from "../../src/report/html/cost-chart.js";
import { escapeHtml, safeHref } from "../../src/report/html/escape.js";
import { renderHtml } from "../../src/report/html/render.js";
import { SCRIPT } from "../../src/report/html/page-assets.js";
import { histogram, linearScale, niceTicks } from "../../src/report/html/svg.js";
import { mermaidDecision, mermaidLabels, mermaidText } from "../../src/report/mermaid.js";
import type { CostReport, SuiteReport } from "../../src/report/types.js";
import { smallReport } from "./small-report.js";
import { makeSuiteRun, pairedRun, ROOT } from "./suite-run-factory.js";

describe("escapeHtml", () => {
  it.each([
    ["<script>", "&#60;script&#62;"],
    [`a "b" 'c' & d`, "a &#34;b&#34; &#39;c&#39; &#38; d"],
    ["plain", "plain"],
  ])("%j → %j", (input, output) => expect(escapeHtml(input)).toBe(output));
});

describe("safeHref", () => {
  it.each([
    ["https://github.com/o/r/blob/sha/a b.yaml#L3", "https://github.com/o/r/blob/sha/a%20b.yaml#L3"],
    ["javascript:alert(1)", "./javascript:alert(1)"],
    ["JAVASCRIPT:alert(1)", "./JAVASCRIPT:alert(1)"],
    ["data:text/html,x", "./data:text/html,x"],
    ["suites/x.yaml#L2", "./suites/x.yaml#L2"],
    ["../x.yaml#L2", "../x.yaml#L2"],
    ["/etc/passwd", "./etc/passwd"],
    [`x"onmouseover=alert(1)`, "./x%22onmouseover=alert(1)"],
  ])("%j → %j", (input, output) => expect(safeHref(input)).toBe(output));
});

describe("scales and bins", () => {
  it("maps a domain onto a range linearly, either way round", () => {
    const x = linearScale([-10, 30], [0, 400]);
    expect([x(-10), x(0), x(30)]).toEqual([0, 100, 400]);
    expect(linearScale([0, 1], [100, 0])(0.25)).toBe(75);
    expect(linearScale([5, 5], [0, 10])(5)).toBe(0);
  });

  it("gives round ticks inside the domain", () => {
    expect(niceTicks(0, 100, 5)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(-13, 57, 7)).toEqual([-10, 0, 10, 20, 30, 40, 50]);
    expect(niceTicks(0, 1, 10)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    expect(niceTicks(3, 3)).toEqual([3]);
  });

  it("counts every value into one bin, a bin's lower edge in it and the maximum into the last", () => {
    expect(histogram([0, 0.1, 0.5, 0.99, 1], 0, 1, 10)).toEqual([1, 1, 0, 0, 0, 1, 0, 0, 0, 2]);
    expect(histogram([-5, 50], 0, 10, 2)).toEqual([1, 1]);
    expect(histogram([], 0, 1, 3)).toEqual([0, 0, 0]);
  });
});

function suiteWith(gate: { withinPoints?: number; loraWinsPoints?: number; volumeThreshold?: number }, callsPerDay = 1000): SuiteReport {
  const run = pairedRun({ both: 10, fewShotOnly: 1, loraOnly: 4, neither: 2 }, { gate, callsPerDay });
  return buildReport([run], { root: ROOT, now: new Date(0) }).suites[0]!;
}

describe("decision zones", () => {
  it("cut the line at −within, +within and lora_wins, the last zone named by the volume rule", () => {
    const low = suiteWith({ withinPoints: 3, loraWinsPoints: 12, volumeThreshold: 5000 }, 1000);
    expect(decisionZones(low, -20, 40)).toEqual([
      { zone: "prompt-wins", from: -20, to: -3 },
      { zone: "ship-prompt", from: -3, to: 3 },
      { zone: "gray-zone", from: 3, to: 12 },
      { zone: "lora-wins-low-volume", from: 12, to: 40 },
    ]);
    expect(decisionZones(suiteWith({ volumeThreshold: 1000 }, 1000), -20, 40).at(-1)!.zone).toBe("fine-tune");
  });

  it("show every threshold and the whole interval, padded, within ±100", () => {
    const suite = suiteWith({ withinPoints: 5, loraWinsPoints: 15 });
    const [lo, hi] = decisionDomain(suite, [{ label: "", deltaPoints: 10, lower: -2, upper: 22 }]);
    expect(lo).toBeLessThan(-5);
    expect(hi).toBeGreaterThan(22);
    expect(decisionDomain(suite, [{ label: "", deltaPoints: 0, lower: -99, upper: 99 }])).toEqual([-100, 100]);
  });
});

describe("differenceMatrix", () => {
  it("subtracts cell by cell over the union of labels", () => {
    const fewShot = { rows: ["a", "b"], columns: ["a", "b"], counts: [[3, 1], [2, 2]] };
    const lora = { rows: ["a", "b"], columns: ["a", "b", "invalid"], counts: [[4, 0, 0], [0, 3, 1]] };
    expect(differenceMatrix(fewShot, lora)).toEqual({ rows: ["a", "b"], columns: ["a", "b", "invalid"], counts: [[1, -1, 0], [-2, 1, 1]] });
  });
});

describe("costHorizon", () => {
  const cost = (days: number | null) => ({ break_even_days: days }) as CostReport;
  it("shows half again the break-even, at least 30 days, a year without one", () => {
    expect(costHorizon(cost(636.1))).toBe(955);
    expect(costHorizon(cost(2))).toBe(30);
    expect(costHorizon(cost(null))).toBe(365);
  });
});

describe("renderHtml", () => {
  it("is the same page for the same report, with a CSP that allows only its own script", () => {
    const html = renderHtml(smallReport());
    expect(renderHtml(smallReport())).toBe(html);
    const hash = createHash("sha256").update(SCRIPT).digest("base64");
    expect(html).toContain(`script-src &#39;sha256-${hash}&#39;`);
    expect(html).toContain("default-src &#39;none&#39;");
    expect(html.match(/<script>/g)).toHaveLength(1);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
  });

  it("escapes hostile text everywhere it appears", () => {
    const evil = `</title></script><script>alert(1)</script><img src=x onerror=alert(2)>"'`;
    const report = buildReport(
      [makeSuiteRun({
        callsPerDay: 1000,
        // The currency (16 characters at most, from the suite) is drawn in the cost chart's titles too.
        cost: { currency: "<img src=//e.co>", fewShot: { inputPerMillion: 1, outputPerMillion: 2 }, lora: { inputPerMillion: 1, outputPerMillion: 2 }, fineTuneOneOff: 100 },
        name: evil, labels: [evil, "ok"], cases: [{ input: evil, expected: evil, fewShot: "ok", lora: evil }, { input: "x", expected: "ok", fewShot: "ok", lora: "ok" }] })],
      { root: ROOT, now: new Date(0) },
    );
    const html = renderHtml(report);
    expect(html).toContain("cost-line");
    expect(html).not.toContain("<img");
    expect(html.match(/<script>/g)).toHaveLength(1);
    expect(html).not.toContain("</title></script>");
    expect(html).toContain(escapeHtml(evil));
  });

  it("starts the case table at its first page: later rows hidden, shown without a script", () => {
    const cases = Array.from({ length: 7 }, (_, i) => ({ input: `c${i}`, expected: "a", fewShot: "a", lora: "a" }));
    const html = renderHtml(buildReport([makeSuiteRun({ labels: ["a"], cases })], { root: ROOT, now: new Date(0) }), { pageSize: 3 });
    expect(html.match(/<tr data-miss[^>]* hidden>/g)).toHaveLength(4);
    expect(html).toContain("<noscript><style>tr[hidden]{display:table-row}</style></noscript>");
  });
});

describe("Mermaid", () => {
  it("keeps only plain characters in chart text", () => {
    expect(mermaidText(`a"b]c\`d<e>#f;g\nh`)).toBe("a b c d e f g h");
    expect(mermaidText("")).toBe("?");
    expect(mermaidText("日本語 ok")).toBe("日本語 ok");
    expect(mermaidText("x".repeat(40), 10)).toBe(`${"x".repeat(9)}…`);
  });

  it("draws the interval's ends and the delta against a line per threshold", () => {
    const suite = suiteWith({ withinPoints: 4, loraWinsPoints: 11 });
    const chart = mermaidDecision(suite).join("\n");
    expect(chart).toMatch(/^```mermaid\nxychart-beta horizontal\n/);
    expect(chart).toContain(`bar [${[suite.delta_ci95[0], suite.delta_points, suite.delta_ci95[1]].map((v) => String(Math.round(v * 100) / 100)).join(", ")}]`);
    expect(chart).toContain("line [-4, -4, -4]\n  line [4, 4, 4]\n  line [11, 11, 11]");
  });

  it("gives two bars a label, and no chart for too many labels", () => {
    const lines = mermaidLabels(smallReport().suites[0]!);
    expect(lines.find((l) => l.includes("x-axis"))).toBe(`  x-axis ["complaint few-shot", "complaint LoRA", "inquiry few-shot", "inquiry LoRA"]`);
    const labels = Array.from({ length: 11 }, (_, i) => `l${i}`);
    const many = buildReport([makeSuiteRun({ labels, cases: labels.map((l) => ({ input: l, expected: l, fewShot: l, lora: l })) })], { root: ROOT, now: new Date(0) });
    expect(mermaidLabels(many.suites[0]!)).toEqual([]);
  });
});
