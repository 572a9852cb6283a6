// What the reports say about results served by the result cache: counts per arm, when they were measured,
// and that their latencies are not this run's; nothing at all when none came from the cache.
import { describe, expect, it } from "vitest";
import { buildReport, buildSuiteReport } from "../../src/report/build.js";
import { renderMarkdown } from "../../src/report/markdown.js";
import { renderTerminal } from "../../src/report/terminal.js";
import { cacheNote } from "../../src/report/wording.js";
import type { SuiteRun } from "../../src/types.js";
import { reportValidator } from "./schema-validator.js";
import { pairedRun, ROOT } from "./suite-run-factory.js";

/** A run of 10 cases whose first `fewShot` and `lora` results came from the cache, measured at the given times. */
function cachedRun(fewShot: number, lora: number, times: string[] = ["2026-11-30T22:15:09.120Z"]): SuiteRun {
  const run = pairedRun({ both: 6, fewShotOnly: 1, loraOnly: 2, neither: 1 });
  const stamp = (count: number, arm: "few_shot" | "lora") =>
    run.arms[arm].cases.forEach((result, i) => {
      if (i < count) result.cached = { measuredAt: times[i % times.length]! };
    });
  stamp(fewShot, "few_shot");
  stamp(lora, "lora");
  return { ...run, resultCache: true };
}

describe("the report on cached results", () => {
  it("counts them per arm, with the oldest and newest measuring time, and marks each cached result", () => {
    const suite = buildSuiteReport(cachedRun(10, 4, ["2026-11-30T22:15:09.120Z", "2026-11-29T08:00:00.000Z", "2026-12-01T01:02:03.000Z"]), { root: ROOT });
    expect(suite.cache).toEqual({ enabled: true, few_shot: 10, lora: 4, measured_from: "2026-11-29T08:00:00.000Z", measured_to: "2026-12-01T01:02:03.000Z" });
    expect(suite.cases[0]!.few_shot.cached).toEqual({ measured_at: "2026-11-30T22:15:09.120Z" });
    expect(suite.cases[9]!.lora.cached).toBeUndefined();
    const validate = reportValidator();
    expect(validate(buildReport([cachedRun(10, 4)], { root: ROOT })), JSON.stringify(validate.errors)).toBe(true);
  });

  it("says the cache was off, and nothing was cached, for a run without it", () => {
    const suite = buildSuiteReport(pairedRun({ both: 5, fewShotOnly: 0, loraOnly: 0, neither: 0 }), { root: ROOT });
    expect(suite.cache).toEqual({ enabled: false, few_shot: 0, lora: 0, measured_from: null, measured_to: null });
    expect(cacheNote(suite)).toBeUndefined();
  });

  it("puts it in words: one count when the arms agree, both when they differ, one time or a span", () => {
    const note = (run: SuiteRun) => cacheNote(buildSuiteReport(run, { root: ROOT }));
    expect(note(cachedRun(10, 10))).toBe(
      "10 of 10 cases from the result cache, measured 2026-11-30 22:15 UTC: their latencies are from then, and the tokens evaluated count only this run's work",
    );
    expect(note(cachedRun(10, 3, ["2026-11-30T22:15:09.120Z", "2026-12-01T06:00:00Z"]))).toMatch(
      /^10 few-shot and 3 LoRA results of 10 cases from the result cache, measured between 2026-11-30 22:15 UTC and 2026-12-01 06:00 UTC: /,
    );
    expect(note({ ...cachedRun(0, 0) })).toBeUndefined();
  });

  it("shows the note in the Markdown summary and the terminal report, and only when something was cached", () => {
    const cached = buildReport([cachedRun(10, 10)], { root: ROOT });
    const plain = buildReport([cachedRun(0, 0)], { root: ROOT });
    expect(renderMarkdown(cached)).toContain("♻️ 10 of 10 cases from the result cache, measured 2026-11-30 22:15 UTC: their latencies are from then");
    expect(renderMarkdown(plain)).not.toContain("result cache");
    expect(renderTerminal(cached, { color: false, width: 100 })).toMatch(/^cache +10 of 10 cases from the result cache/m);
    expect(renderTerminal(plain, { color: false, width: 100 })).not.toContain("result cache");
  });
});
