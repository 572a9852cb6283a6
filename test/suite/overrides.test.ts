// Overrides (CLI flags, plugin options, Action inputs) are held to the suite schema's own rules: a value
// refused in the YAML is refused by every entry point, each naming its own option and the allowed range.
import { describe, expect, it } from "vitest";
import { INPUT_NAMES, parseActionInputs, type InputName } from "../../src/action/inputs.js";
import { main } from "../../src/cli/main.js";
import { parseRunArguments, runUsage } from "../../src/cli/run.js";
import { loadSuiteFromText } from "../../src/suite/loader.js";
import { checkSuiteOverrides, OVERRIDE_OPTIONS, overrideRange } from "../../src/suite/overrides.js";
import { tunegate } from "../../src/vitest/plugin.js";
import { REPO_ROOT, suiteYaml } from "./helpers.js";

async function cli(...args: string[]) {
  const stderr: string[] = [];
  const code = await main(args, { stdout: () => undefined, stderr: (l) => stderr.push(l), cwd: REPO_ROOT, env: {} });
  return { code, stderr: stderr.join("\n") };
}

function actionProblems(given: Partial<Record<InputName, string>>): string[] {
  const parsed = parseActionInputs((name) => given[name] ?? "", "/workspace");
  return parsed.ok ? [] : parsed.problems;
}

describe("checkSuiteOverrides", () => {
  it("accepts what the suite schema accepts, and ignores keys that are no overrides", () => {
    expect(checkSuiteOverrides({})).toEqual([]);
    expect(checkSuiteOverrides({ callsPerDay: 0, withinPoints: 0, loraWinsPoints: 100, volumeThreshold: 1e9, failOn: "never", misses: "fail" })).toEqual([]);
    expect(checkSuiteOverrides({ withinPoints: undefined, gpu: "cuda", threads: 4 } as never)).toEqual([]);
  });

  it("refuses each value outside its suite key's range or choices, saying what is allowed", () => {
    expect(checkSuiteOverrides({ withinPoints: 150, loraWinsPoints: 200, callsPerDay: -1, volumeThreshold: Number.NaN, failOn: "always", misses: "ignore" })).toEqual([
      { kind: "value", key: "callsPerDay", value: -1, allowed: "a number from 0 to 1000000000000" },
      { kind: "value", key: "withinPoints", value: 150, allowed: "a number from 0 to 100" },
      { kind: "value", key: "loraWinsPoints", value: 200, allowed: "a number from 0 to 100" },
      { kind: "value", key: "volumeThreshold", value: Number.NaN, allowed: "a number from 0 to 1000000000000" },
      { kind: "value", key: "failOn", value: "always", allowed: "one of fine-tune, gray-zone, never" },
      { kind: "value", key: "misses", value: "ignore", allowed: "one of warn, fail" },
    ]);
    expect(checkSuiteOverrides({ withinPoints: "5" as never })).toEqual([{ kind: "value", key: "withinPoints", value: "5", allowed: "a number from 0 to 100" }]);
  });

  it("refuses within-points at or above lora-wins-points when both are given", () => {
    expect(checkSuiteOverrides({ withinPoints: 15, loraWinsPoints: 15 })).toEqual([{ kind: "order", withinPoints: 15, loraWinsPoints: 15 }]);
    expect(checkSuiteOverrides({ withinPoints: 20 })).toEqual([]);
  });

  it("reads the ranges from the suite schema, which refuses the same values in YAML", async () => {
    expect(overrideRange("withinPoints")).toBe("from 0 to 100");
    expect(overrideRange("callsPerDay")).toBe("from 0 to 1000000000000");
    const yaml = suiteYaml({ rest: "volume: { calls_per_day: 1000 }\ngate: { within_points: 150, lora_wins_points: 200 }" });
    const loaded = await loadSuiteFromText(yaml, "/suites/x.cases.yaml", { checkModelFiles: false });
    expect(loaded.suite).toBeUndefined();
    expect(loaded.diagnostics.map((d) => d.message).join("\n")).toMatch(/within_points/);
  });
});

describe("every entry point refuses --within-points 150 --lora-wins-points 200", () => {
  it("tunegate run: exit 2, naming the flags and the range", async () => {
    expect(() => parseRunArguments(["--within-points", "150", "--lora-wins-points", "200"])).toThrow(
      '--within-points must be a number from 0 to 100, got "150"; --lora-wins-points must be a number from 0 to 100, got "200"',
    );
    const run = await cli("run", "--within-points", "150", "--lora-wins-points", "200", "nowhere.cases.yaml");
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'tunegate run: --within-points must be a number from 0 to 100, got "150"; --lora-wins-points must be a number from 0 to 100, got "200"\nRun `tunegate run --help` for usage.',
    );
  });

  it("tunegate run: converts text only, and refuses the same values the suite would", async () => {
    expect(parseRunArguments(["--within-points", "2.5", "--volume", "1e5", "--fail-on", "gray-zone", "--misses", "fail"])).toMatchObject({
      plugin: { withinPoints: 2.5, callsPerDay: 100000, failOn: "gray-zone", misses: "fail" },
    });
    expect(() => parseRunArguments(["--volume", "lots"])).toThrow('--volume must be a number, got "lots"');
    expect(() => parseRunArguments(["--volume=-3"])).toThrow('--volume must be a number from 0 to 1000000000000, got "-3"');
    expect(() => parseRunArguments(["--fail-on", "always"])).toThrow('--fail-on must be one of fine-tune, gray-zone, never, got "always"');
    expect(() => parseRunArguments(["--within-points", "15", "--lora-wins-points", "15"])).toThrow(
      "--within-points (15) must be below --lora-wins-points (15); the gray zone lies between them",
    );
    expect((await cli("run", "--volume=-3", "nowhere.cases.yaml")).code).toBe(2);
  });

  it("the Action: a problem naming each input and the range", () => {
    expect(actionProblems({ "within-points": "150", "lora-wins-points": "200" })).toEqual([
      'Input `within-points`: expected a number of percentage points from 0 to 100, got "150".',
      'Input `lora-wins-points`: expected a number of percentage points from 0 to 100, got "200".',
    ]);
  });

  it("the plugin: an error naming the option and the range", () => {
    expect(() => tunegate({ withinPoints: 150, loraWinsPoints: 200 })).toThrow(
      "tunegate(): option `withinPoints` must be a number from 0 to 100, got 150; option `loraWinsPoints` must be a number from 0 to 100, got 200",
    );
    expect(() => tunegate({ withinPoints: 10, loraWinsPoints: 5 })).toThrow(/withinPoints must be below loraWinsPoints/);
    expect(() => tunegate({ callsPerDay: Number.NaN, failOn: "always" as never })).toThrow(
      'tunegate(): option `callsPerDay` must be a number from 0 to 1000000000000, got NaN; option `failOn` must be one of fine-tune, gray-zone, never, got "always"',
    );
    expect(() => tunegate({ withinPoints: 5, loraWinsPoints: 10, failOn: "never" })).not.toThrow();
    expect(() => tunegate({ table: "some" as never })).toThrow('tunegate(): option `table` must be one of all, misses, none, got "some"');
    for (const table of ["all", "misses", "none"] as const) expect(() => tunegate({ table })).not.toThrow();
  });

  it("names every override the same as a CLI flag and as an Action input", () => {
    for (const name of Object.values(OVERRIDE_OPTIONS)) {
      expect(runUsage).toContain(`--${name} `);
      expect(INPUT_NAMES).toContain(name);
    }
  });
});
