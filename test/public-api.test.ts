// The library's runtime API is a curated list: a name added to src/index.ts is a decision, made here too.
import { describe, expect, it } from "vitest";
import * as tunegate from "../src/index.js";

describe("the tunegate package's API", () => {
  it("exports exactly the curated runtime names", () => {
    expect(Object.keys(tunegate).sort()).toEqual(
      [
        "ARMS",
        "ARM_DISPLAY",
        "ERROR_CODES",
        "FAIL_ON_POLICIES",
        "GATE_OUTCOMES",
        "GPU_CHOICES",
        "INVALID_PREDICTION",
        "MISS_POLICIES",
        "REPORT_VERSION",
        "SCORING_MODES",
        "SUITE_DEFAULTS",
        "TunegateError",
        "UsageError",
        "VERDICTS",
        "buildReport",
        "buildSuiteReport",
        "checkAdapterFitsModel",
        "createLocalEngine",
        "createRemoteEngine",
        "decide",
        "estimateCost",
        "formatDiagnostic",
        "hasErrors",
        "inspectGguf",
        "isTunegateError",
        "loadSuite",
        "loadSuiteFromText",
        "mcnemarExact",
        "newcombePairedInterval",
        "openRemoteEngine",
        "renderMarkdown",
        "renderTerminal",
        "reportSchema",
        "reportToJson",
        "suiteSchema",
        "tabulatePaired",
        "withResultCache",
      ].sort(),
    );
  });
});
