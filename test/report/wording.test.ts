import { describe, expect, it } from "vitest";
import { estimateCost, type CostEstimate } from "../../src/cost.js";
import { decide, type DecisionInput, type VerdictInput } from "../../src/decision.js";
import { decisionReason, describePrediction, gateCause, gateHeadline, type ReasonEvidence } from "../../src/report/wording.js";

const DEFAULTS = { withinPoints: 5, loraWinsPoints: 15, volumeThreshold: 100_000 };

/** The decision with its reason in words. */
function decideAndSay(input: DecisionInput & ReasonEvidence) {
  const decision = decide(input);
  return { ...decision, reason: decisionReason(decision, input) };
}

describe("decisionReason: one sentence quoting the numbers", () => {
  const base = (fewShotCorrect: number, loraCorrect: number, total: number, callsPerDay = 100_000): VerdictInput => ({
    fewShotCorrect,
    loraCorrect,
    total,
    callsPerDay,
    thresholds: DEFAULTS,
  });
  const oneSentence = (text: string) => {
    expect(text.endsWith(".")).toBe(true);
    expect(text.slice(0, -1)).not.toMatch(/\.\s/);
  };

  it("ship-prompt", () => {
    const d = decideAndSay({ ...base(18, 19, 20), failOn: "fine-tune", interval: { lowerPoints: -8.123, upperPoints: 18.9, level: 0.95 } });
    expect(d).toMatchObject({ verdict: "ship-prompt", gate: "pass", deltaPoints: 5 });
    expect(d.reason).toBe("LoRA scored 95.0% and few-shot 90.0% on the same 20 cases, a difference of +5.0 points (95% CI -8.1 to +18.9) within ±5, so ship the prompt.");
  });

  it("prompt-wins", () => {
    const d = decideAndSay({ ...base(18, 10, 20), failOn: "fine-tune" });
    expect(d.verdict).toBe("prompt-wins");
    expect(d.reason).toBe("LoRA scored 50.0% and few-shot 90.0% on the same 20 cases: LoRA trails by 40.0 points, more than 5, so the adapter underperforms and the prompt ships.");
  });

  it("fine-tune", () => {
    const d = decideAndSay({ ...base(15, 19, 20, 250_000), failOn: "fine-tune" });
    expect(d).toMatchObject({ verdict: "fine-tune", gate: "fail" });
    expect(d.reason).toBe(
      "LoRA scored 95.0% and few-shot 75.0% on the same 20 cases: LoRA leads by 20.0 points, at least 15, and 250,000 calls a day reaches the 100,000 volume threshold, so the fine-tune pays off.",
    );
  });

  it("gray-zone", () => {
    const d = decideAndSay({ ...base(15, 17, 20), failOn: "gray-zone" });
    expect(d).toMatchObject({ verdict: "gray-zone", gate: "fail" });
    expect(d.reason).toContain("LoRA leads by 10.0 points, more than 5 but less than 15, a gray zone");
    oneSentence(d.reason);
  });

  it("lora-wins-low-volume shows the cost figures", () => {
    const cost: CostEstimate = estimateCost(
      { currency: "USD", fewShot: { inputPerMillion: 0.15, outputPerMillion: 0.6 }, lora: { inputPerMillion: 0.15, outputPerMillion: 0.6 }, fineTuneOneOff: 500 },
      5_000,
      { few_shot: { promptTokensPerCall: 600, outputTokensPerCall: 2 }, lora: { promptTokensPerCall: 60, outputTokensPerCall: 2 } },
    );
    const d = decideAndSay({ ...base(15, 19, 20, 5_000), failOn: "fine-tune", cost });
    expect(d).toMatchObject({ verdict: "lora-wins-low-volume", gate: "warn" });
    expect(d.reason).toBe(
      "LoRA scored 95.0% and few-shot 75.0% on the same 20 cases: LoRA leads by 20.0 points, at least 15, but at 5,000 calls a day (under the 100,000 threshold) token savings rarely repay the engineering; LoRA would save 0.41 USD/day, repaying the 500.00 USD fine-tune in 1,234.6 days.",
    );
  });

  it("shows more decimals instead of a rounded value that looks like a threshold", () => {
    // 124 of 2500 = 4.96 points: "+5.0" would read as exactly on the boundary.
    const d = decideAndSay({ ...base(1000, 1124, 2500), failOn: "fine-tune" });
    expect(d.verdict).toBe("ship-prompt");
    expect(d.reason).toContain("+4.96 points");
    const over = decideAndSay({ ...base(1000, 1126, 2500), failOn: "fine-tune" });
    expect(over.verdict).toBe("gray-zone");
    expect(over.reason).toContain("5.04 points");
  });

  it("says when the interval straddles a threshold and how many cases would settle it", () => {
    const d = decideAndSay({
      ...base(18, 19, 20),
      failOn: "fine-tune",
      settle: { straddled: [-5, 5, 15], casesNeeded: 1234, unsettled: null },
    });
    expect(d.reason).toContain("the interval straddles the -5, +5 and +15-point thresholds, and about 1,234 cases would settle it");
    oneSentence(d.reason);
  });

  it("says when no number of cases settles it", () => {
    const d = decideAndSay({ ...base(18, 19, 20), failOn: "fine-tune", settle: { straddled: [5], casesNeeded: null, unsettled: "delta-on-threshold" } });
    expect(d.reason).toContain("straddles the +5-point threshold, and with the delta exactly on it no number of cases settles it");
  });

  it("uses the singular for one case", () => {
    expect(decideAndSay({ ...base(1, 1, 1), failOn: "fine-tune" }).reason).toContain("on the same 1 case,");
  });
});

describe("describePrediction", () => {
  it.each<[string, { predicted: string; generated?: string }, string]>([
    ["a label as it is", { predicted: "praise" }, "praise"],
    ["a label even when the generation said more", { predicted: "praise", generated: "praise, clearly" }, "praise"],
    ["an invalid generation with what it wrote", { predicted: "invalid", generated: "You could say so" }, 'invalid ("You could s…")'],
    ["a short one whole", { predicted: "invalid", generated: "no" }, 'invalid ("no")'],
    ["escaped: no line break, quote or control character gets through", { predicted: "invalid", generated: '\n"\u001b' }, 'invalid ("\\n\\"\\u001b")'],
    ["invalid without a generation (logprob has none)", { predicted: "invalid" }, "invalid"],
  ])("%s", (_what, result, text) => {
    expect(describePrediction(result)).toBe(text);
  });
});

describe("gateCause and gateHeadline", () => {
  const suite = (mustMisses: number, gate: "pass" | "warn" | "fail" = "fail") => ({
    gate,
    verdict: "fine-tune" as const,
    thresholds: { within_points: 5, lora_wins_points: 15, volume_threshold: 100_000, fail_on: "fine-tune" as const },
    must_misses: Array.from({ length: mustMisses }, (_, i) => ({ index: i, input: "x", expected: "a", file: "evals/a.cases.yaml", line: 10 + i, arms: ["lora" as const] })),
  });
  it("names the missed must case's place first", () => {
    expect(gateHeadline(suite(1))).toBe("gate FAIL: must case missed at evals/a.cases.yaml:10");
  });
  it("names at most three places", () => {
    expect(gateCause(suite(5))).toBe("must cases missed at evals/a.cases.yaml:10, evals/a.cases.yaml:11, evals/a.cases.yaml:12 and 2 more");
  });
  it("names the verdict and fail_on otherwise", () => {
    expect(gateHeadline(suite(0))).toBe("gate FAIL: verdict fine-tune and fail_on: fine-tune");
    expect(gateHeadline(suite(0, "pass"))).toBe("gate PASS: verdict fine-tune and fail_on: fine-tune");
  });
});
