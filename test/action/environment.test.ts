// INPUT_ variables with hyphens under their underscore spelling, for hand runs through a /bin/sh (dash) that
// drops the hyphenated names.
import { describe, expect, it } from "vitest";
import { completeInputVariables } from "../../src/action/environment.js";

describe("completeInputVariables", () => {
  it("accepts the underscore spelling", () => {
    const env: NodeJS.ProcessEnv = { INPUT_FAIL_ON: "never" };
    expect(completeInputVariables(["INPUT_FAIL-ON"], env)).toBe("tunegate: read INPUT_FAIL_ON as INPUT_FAIL-ON.");
    expect(env["INPUT_FAIL-ON"]).toBe("never");
    expect(completeInputVariables(["INPUT_FAIL-ON"], env)).toBeUndefined();
  });

  it("keeps a hyphenated variable that is there, and aliases nothing without a hyphen", () => {
    const env: NodeJS.ProcessEnv = { "INPUT_FAIL-ON": "fine-tune", INPUT_FAIL_ON: "never", INPUT_SUITES_: "x" };
    expect(completeInputVariables(["INPUT_FAIL-ON", "INPUT_SUITES"], env)).toBeUndefined();
    expect(env["INPUT_FAIL-ON"]).toBe("fine-tune");
    expect(env.INPUT_SUITES).toBeUndefined();
  });
});
