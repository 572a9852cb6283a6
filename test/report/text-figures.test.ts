import { describe, expect, it } from "vitest";
import { buildReport } from "../../src/report/build.js";
import { renderTerminal } from "../../src/report/terminal.js";
import { accuracyBars, decisionLine, terminalIsUnicode } from "../../src/report/text-figures.js";
import { decisionDomain } from "../../src/report/decision-zones.js";
import type { SuiteReport } from "../../src/report/types.js";
import { displayWidth } from "../../src/text/width.js";
import { smallReport } from "./small-report.js";
import { pairedRun, ROOT } from "./suite-run-factory.js";

function suiteOf(both: number, fewShotOnly: number, loraOnly: number, neither: number): SuiteReport {
  return buildReport([pairedRun({ both, fewShotOnly, loraOnly, neither })], { root: ROOT, now: new Date(0) }).suites[0]!;
}

describe("decisionLine", () => {
  it("puts a mark at each threshold's column, the interval's ends and the delta where the domain maps them", () => {
    const suite = suiteOf(40, 2, 12, 6);
    for (const unicode of [true, false]) {
      const width = 61;
      const [names, axis, values] = decisionLine(suite, { unicode, width });
      const [lo, hi] = decisionDomain(suite, [{ label: "", deltaPoints: suite.delta_points, lower: suite.delta_ci95[0], upper: suite.delta_ci95[1] }]);
      const col = (p: number) => Math.round(((p - lo) / (hi - lo)) * (width - 1));
      expect([...axis!]).toHaveLength(width);
      const g = unicode ? { t: "┼", l: "┣", u: "┫", d: "●" } : { t: "|", l: "[", u: "]", d: "o" };
      expect([...axis!][col(suite.delta_points)]).toBe(g.d);
      expect([...axis!][col(suite.delta_ci95[0])]).toBe(g.l);
      expect([...axis!][col(suite.delta_ci95[1])]).toBe(g.u);
      // Thresholds outside the interval show as threshold marks; inside it the interval is drawn over them.
      for (const t of [-5, 5, 15]) {
        const c = col(t);
        if (c < col(suite.delta_ci95[0]) || c > col(suite.delta_ci95[1])) expect([...axis!][c]).toBe(g.t);
        expect(values!.slice(Math.max(0, c - 3), c + 4)).toContain(t > 0 ? `+${t}` : `${t}`);
      }
      expect(names).toMatch(/ship/);
      if (!unicode) expect(axis! + names! + values!).toMatch(/^[\x20-\x7e]*$/);
    }
  });

  it("stays within its width for any interval, even one spanning the whole scale", () => {
    for (const suite of [suiteOf(1, 0, 1, 0), suiteOf(0, 3, 0, 0), suiteOf(50, 0, 0, 0), suiteOf(10, 5, 5, 10)]) {
      for (const width of [20, 33, 60]) for (const line of decisionLine(suite, { unicode: true, width })) expect(displayWidth(line)).toBeLessThanOrEqual(width);
    }
  });
});

describe("accuracyBars", () => {
  it("draws each arm's accuracy as a share of the bar", () => {
    const suite = suiteOf(10, 0, 10, 0); // few-shot 50 %, LoRA 100 %
    const [fewShot, lora] = accuracyBars(suite, { unicode: true, width: 50 });
    expect(fewShot).toMatch(/^few-shot {2}(█+)(░+) {3}50\.0%$/);
    const [, full, empty] = /(█+)(░+)/.exec(fewShot!)!;
    expect(full!.length).toBe(empty!.length);
    expect(lora).toMatch(/^LoRA {6}█+ {2}100\.0%$/);
    expect(displayWidth(fewShot!)).toBe(50);
    expect(accuracyBars(suite, { unicode: false, width: 50 })[0]).toMatch(/^few-shot {2}#+\.+ {3}50\.0%$/);
  });
});

describe("terminalIsUnicode", () => {
  it("is true for a UTF-8 locale without NO_COLOR, false otherwise", () => {
    expect(terminalIsUnicode({ LANG: "en_US.UTF-8" })).toBe(true);
    expect(terminalIsUnicode({ LC_ALL: "C.utf8", LANG: "C" })).toBe(true);
    expect(terminalIsUnicode({ LC_ALL: "C", LANG: "en_US.UTF-8" })).toBe(false);
    expect(terminalIsUnicode({ LANG: "en_US.UTF-8", NO_COLOR: "1" })).toBe(false);
    expect(terminalIsUnicode({})).toBe(false);
  });
});

describe("renderTerminal's figures", () => {
  it("uses box drawing when asked and ASCII otherwise, within the width", () => {
    const unicode = renderTerminal(smallReport(), { color: false, width: 80, unicode: true });
    expect(unicode).toContain("┣");
    expect(unicode).toMatch(/^accuracy {2}few-shot {2}█+░+ +50\.0%$/m);
    expect(renderTerminal(smallReport(), { color: false, width: 80 })).not.toMatch(/[█░┣┫●┼]/);
    for (const line of unicode.split("\n")) expect(displayWidth(line)).toBeLessThanOrEqual(80);
  });
});
