// Every suite under fixtures/suites declares, in `# expect:` lines, exactly the diagnostics it must produce;
// this runs them all through the loader and the CLI. Invalid fixtures mirror the bad input the issue lists.
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { loadSuite } from "../../src/suite/loader.js";
import { diagnosticKey, expectationsOf, FIXTURE_MODELS, REPO_ROOT, SUITE_FIXTURES } from "./helpers.js";

const env = { TUNEGATE_FIXTURE_MODELS: FIXTURE_MODELS };

function fixtures(kind: "valid" | "invalid"): string[] {
  const dir = join(SUITE_FIXTURES, kind);
  return readdirSync(dir)
    .filter((name) => name.endsWith(".cases.yaml"))
    .sort()
    .map((name) => join(dir, name));
}

async function runCli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { stdout: (l) => out.push(l), stderr: (l) => err.push(l), cwd: REPO_ROOT, env });
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

describe.each(["valid", "invalid"] as const)("%s suite fixtures", (kind) => {
  const files = fixtures(kind);

  it("exist", () => {
    expect(files.length).toBeGreaterThan(kind === "valid" ? 5 : 20);
  });

  describe.each(files.map((f) => [relative(SUITE_FIXTURES, f), f]))("%s", (_name, fixture) => {
    const expectations = expectationsOf(fixture);

    it("produces exactly the declared diagnostics", async () => {
      const result = await loadSuite(fixture, { env });
      const actual = result.diagnostics.map((d) => diagnosticKey(d, fixture)).sort();
      expect(actual).toEqual(expectations.map((e) => e.key).sort());
      for (const expectation of expectations.filter((e) => e.substring !== undefined)) {
        const matching = result.diagnostics.filter((d) => diagnosticKey(d, fixture) === expectation.key);
        const texts = matching.map((d) => `${d.message}\n${d.hint ?? ""}`);
        expect(texts.some((t) => t.includes(expectation.substring!)), `${expectation.key}: ${texts.join(" | ")}`).toBe(true);
      }
      if (kind === "valid") {
        expect(result.suite).toBeDefined();
      } else {
        expect(result.suite).toBeUndefined();
        expect(expectations.some((e) => e.key.startsWith("error "))).toBe(true);
      }
    });

    it(`exits ${kind === "valid" ? 0 : 2} from \`tunegate validate\` and prints the ${kind === "valid" ? "summary" : "error's file:line:col"}`, async () => {
      const { code, stdout, stderr } = await runCli(["validate", relative(REPO_ROOT, fixture)]);
      expect(stderr).toBe("");
      expect(code).toBe(kind === "valid" ? 0 : 2);
      const lines = stdout.split("\n");
      for (const e of expectations) {
        const [severity, where] = e.key.split(" ");
        const [, file, line, column] = /^(.*):(\d+):(\d+)$/.exec(where!)!;
        const shown = relative(REPO_ROOT, join(fixture, "..", file!));
        expect(lines.some((l) => l.startsWith(`${shown}:${line}:${column}: ${severity}: `)), `${shown}:${line}:${column}`).toBe(true);
      }
      const summary = lines.at(-1)!;
      expect(summary.startsWith(`${relative(REPO_ROOT, fixture)}: ${kind === "valid" ? "ok — " : "invalid — "}`)).toBe(true);
    });
  });
});
