import { describe, expect, it } from "vitest";
import { decide, decideGate, decideVerdict, findMustMisses, gateForVerdict, worstGate, type GateOutcome, type Verdict } from "../src/decision.js";
import { decisionReason } from "../src/report/wording.js";
import type { FailOn } from "../src/types.js";
import { makeSuiteRun } from "./report/suite-run-factory.js";

const DEFAULTS = { withinPoints: 5, loraWinsPoints: 15, volumeThreshold: 100_000 };

function verdict(fewShotCorrect: number, loraCorrect: number, total: number, callsPerDay = 100_000, thresholds = DEFAULTS): Verdict {
  return decideVerdict({ fewShotCorrect, loraCorrect, total, callsPerDay, thresholds });
}

describe("decideVerdict: the article's rule at its boundaries", () => {
  it("exactly +5 points ships the prompt", () => {
    expect(verdict(18, 19, 20)).toBe("ship-prompt");
    expect(verdict(57, 60, 60)).toBe("ship-prompt");
  });

  it("exactly −5 points ships the prompt", () => {
    expect(verdict(19, 18, 20)).toBe("ship-prompt");
  });

  it("just over +5 is the gray zone, just under stays ship-prompt", () => {
    expect(verdict(17, 18, 19)).toBe("gray-zone"); // +5.26
    expect(verdict(18, 19, 21)).toBe("ship-prompt"); // +4.76
    expect(verdict(1800, 1900, 1999)).toBe("gray-zone"); // +5.0025
    expect(verdict(1800, 1900, 2001)).toBe("ship-prompt"); // +4.9975
  });

  it("just beyond −5 is prompt-wins", () => {
    expect(verdict(18, 17, 19)).toBe("prompt-wins"); // −5.26
    expect(verdict(1900, 1800, 1999)).toBe("prompt-wins");
    expect(verdict(1900, 1800, 2001)).toBe("ship-prompt");
    expect(verdict(20, 0, 20)).toBe("prompt-wins");
  });

  it("exactly +15 points with volume exactly at the threshold is fine-tune", () => {
    expect(verdict(17, 20, 20, 100_000)).toBe("fine-tune");
  });

  it("exactly +15 points one call under the threshold is lora-wins-low-volume", () => {
    expect(verdict(17, 20, 20, 99_999)).toBe("lora-wins-low-volume");
    expect(verdict(17, 20, 20, 0)).toBe("lora-wins-low-volume");
  });

  it("just under +15 is the gray zone at any volume", () => {
    expect(verdict(71, 85, 100, 10_000_000)).toBe("gray-zone"); // +14
    expect(verdict(1700, 2000, 2001, 10_000_000)).toBe("gray-zone"); // +14.99
  });

  it("just over +15 depends only on the volume", () => {
    expect(verdict(11, 13, 13, 100_000)).toBe("fine-tune"); // +15.38
    expect(verdict(11, 13, 13, 5_000)).toBe("lora-wins-low-volume");
  });

  it("decides on exact integers where subtracting accuracies would misjudge", () => {
    // 0.70 − 0.65 = 0.04999… in floating point; the delta is exactly 5 points.
    expect((14 / 20 - 13 / 20) * 100 <= 5).toBe(true);
    expect((0.7 - 0.65) * 100).not.toBe(5);
    expect(verdict(13, 14, 20)).toBe("ship-prompt");
    // 0.35 − 0.2 = 0.15 is 0.1499999… in floating point; the delta is exactly 15 points.
    expect(0.35 - 0.2).toBeLessThan(0.15);
    expect(verdict(4, 7, 20, 100_000)).toBe("fine-tune");
    // 1/3 of a case per point: n where 100·d/n is never a whole number.
    expect(verdict(10, 11, 30)).toBe("ship-prompt"); // +3.33
    expect(verdict(10, 12, 30)).toBe("gray-zone"); // +6.67
    expect(verdict(10, 15, 30, 100_000)).toBe("fine-tune"); // +16.67
  });

  it("handles one case", () => {
    expect(verdict(1, 1, 1)).toBe("ship-prompt");
    expect(verdict(0, 0, 1)).toBe("ship-prompt");
    expect(verdict(0, 1, 1, 100_000)).toBe("fine-tune");
    expect(verdict(0, 1, 1, 10)).toBe("lora-wins-low-volume");
    expect(verdict(1, 0, 1)).toBe("prompt-wins");
  });

  it("all wrong, all right and ties are ship-prompt", () => {
    expect(verdict(0, 0, 40)).toBe("ship-prompt");
    expect(verdict(40, 40, 40)).toBe("ship-prompt");
    expect(verdict(25, 25, 40)).toBe("ship-prompt");
  });

  it("uses configured thresholds, compared as written", () => {
    const strict = { withinPoints: 0, loraWinsPoints: 10, volumeThreshold: 1 };
    expect(verdict(10, 10, 20, 1, strict)).toBe("ship-prompt");
    expect(verdict(10, 11, 20, 1, strict)).toBe("gray-zone");
    expect(verdict(11, 10, 20, 1, strict)).toBe("prompt-wins");
    expect(verdict(10, 12, 20, 1, strict)).toBe("fine-tune");
    const decimal = { withinPoints: 7.5, loraWinsPoints: 12.5, volumeThreshold: 1 };
    expect(verdict(37, 40, 40, 1, decimal)).toBe("ship-prompt"); // exactly 7.5
    expect(verdict(35, 40, 40, 1, decimal)).toBe("fine-tune"); // exactly 12.5
    expect(verdict(40, 37, 40, 1, decimal)).toBe("ship-prompt"); // exactly −7.5
  });

  it("refuses to decide on no cases", () => {
    expect(() => verdict(0, 0, 0)).toThrow(RangeError);
  });
});

describe("gateForVerdict", () => {
  const table: [Verdict, FailOn, GateOutcome][] = [
    ["ship-prompt", "fine-tune", "pass"],
    ["ship-prompt", "gray-zone", "pass"],
    ["ship-prompt", "never", "pass"],
    ["prompt-wins", "fine-tune", "pass"],
    ["prompt-wins", "gray-zone", "pass"],
    ["prompt-wins", "never", "pass"],
    ["fine-tune", "fine-tune", "fail"],
    ["fine-tune", "gray-zone", "fail"],
    ["fine-tune", "never", "warn"],
    ["gray-zone", "fine-tune", "warn"],
    ["gray-zone", "gray-zone", "fail"],
    ["gray-zone", "never", "warn"],
    ["lora-wins-low-volume", "fine-tune", "warn"],
    ["lora-wins-low-volume", "gray-zone", "warn"],
    ["lora-wins-low-volume", "never", "warn"],
  ];
  it.each(table)("%s with fail_on %s → %s", (v, failOn, gate) => {
    expect(gateForVerdict(v, failOn)).toBe(gate);
    expect(decideGate(v, failOn, [])).toBe(gate);
  });
});

describe("must cases", () => {
  const run = makeSuiteRun({
    labels: ["a", "b"],
    cases: [
      { input: "fine", expected: "a", must: true, fewShot: "a", lora: "a" },
      { input: "lora misses this", expected: "a", must: true, line: 41, fewShot: "a", lora: "b" },
      { input: "not a must", expected: "b", fewShot: "a", lora: "a" },
      { input: "both miss this", expected: "b", must: true, line: 47, fewShot: "a", lora: "a" },
    ],
  });

  it("finds the must cases either arm missed, naming the arms", () => {
    const misses = findMustMisses(run.suite.cases, run.arms, (file) => file.replace(/^.*\//, ""));
    expect(misses).toEqual([
      { index: 1, input: "lora misses this", expected: "a", file: "support.yaml", line: 41, arms: ["lora"] },
      { index: 3, input: "both miss this", expected: "b", file: "support.yaml", line: 47, arms: ["few_shot", "lora"] },
    ]);
  });

  it("fail the gate whatever the verdict and fail_on", () => {
    const misses = findMustMisses(run.suite.cases, run.arms);
    for (const v of ["ship-prompt", "prompt-wins", "gray-zone", "lora-wins-low-volume", "fine-tune"] as const) {
      for (const failOn of ["fine-tune", "gray-zone", "never"] as const) expect(decideGate(v, failOn, misses)).toBe("fail");
    }
  });

  it("are named in the reason", () => {
    const misses = findMustMisses(run.suite.cases, run.arms, (file) => file.replace(/^.*\//, ""));
    const decision = decide({ fewShotCorrect: 2, loraCorrect: 1, total: 4, callsPerDay: 10, thresholds: DEFAULTS, failOn: "never", mustMisses: misses });
    expect(decision.gate).toBe("fail");
    expect(decision.reason.mustMisses).toEqual(misses);
    const reason = decisionReason(decision);
    expect(reason).toContain('"lora misses this" at support.yaml:41 (missed by LoRA)');
    expect(reason).toContain('"both miss this" at support.yaml:47 (missed by few-shot and LoRA)');
    expect(reason).toContain("2 must cases were missed");
  });
});

describe("worstGate", () => {
  it("takes the worst", () => {
    expect(worstGate(["pass", "pass"])).toBe("pass");
    expect(worstGate(["pass", "warn", "pass"])).toBe("warn");
    expect(worstGate(["warn", "fail", "pass"])).toBe("fail");
    expect(worstGate(["fail"])).toBe("fail");
  });

  it("warns when nothing was measured", () => {
    expect(worstGate([])).toBe("warn");
  });
});
