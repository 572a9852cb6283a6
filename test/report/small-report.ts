import { buildReport } from "../../src/report/build.js";
import type { Report } from "../../src/report/types.js";
import { makeSuiteRun, ROOT } from "./suite-run-factory.js";

/** Two cases, prices at low volume: small enough to pin the renderers' exact output. */
export function smallReport(): Report {
  const run = makeSuiteRun({
    name: "support",
    labels: ["complaint", "inquiry"],
    callsPerDay: 5000,
    cost: {
      currency: "USD",
      fewShot: { inputPerMillion: 0.15, outputPerMillion: 0.6 },
      lora: { inputPerMillion: 0.15, outputPerMillion: 0.6 },
      fineTuneOneOff: 500,
    },
    cases: [
      {
        input: "The shipment arrived damaged.",
        expected: "complaint",
        fewShot: { predicted: "complaint", latencyMs: 120, promptTokens: 600, outputTokens: 2 },
        lora: { predicted: "complaint", latencyMs: 40, promptTokens: 60, outputTokens: 2 },
      },
      {
        input: "What are your opening hours?",
        expected: "inquiry",
        fewShot: { predicted: "complaint", latencyMs: 130, promptTokens: 600, outputTokens: 2 },
        lora: { predicted: "inquiry", latencyMs: 42, promptTokens: 60, outputTokens: 2 },
      },
    ],
  });
  return buildReport([run], { root: ROOT, now: new Date("2025-01-02T03:04:05.000Z") });
}
