// The plugin in a user's own Vitest setup: a vitest.config with `plugins: [tunegate()]`, run by `vitest`.
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DEMO_SUITE, forgeDemo, temporaryDir } from "../helpers/forged.js";

const exec = promisify(execFile);
const ROOT = join(import.meta.dirname, "../..");
const VITEST = join(ROOT, "node_modules/vitest/vitest.mjs");
const forged = forgeDemo();
const project = temporaryDir("tunegate-project-");

writeFileSync(
  join(project, "vitest.config.mjs"),
  `import { tunegate } from ${JSON.stringify(join(ROOT, "dist/src/vitest/index.js"))};
export default { plugins: [tunegate({ threads: 1, report: { json: "out/report.json" } })] };
`,
);
writeFileSync(
  join(project, "triage.cases.yaml"),
  readFileSync(DEMO_SUITE, "utf8").replace("../../.cache/models/demo-base.gguf", forged.base).replace("../../.cache/models/demo-lora.gguf", forged.lora),
);
writeFileSync(join(project, "plain.test.mjs"), `import { test, expect } from "vitest";\ntest("an ordinary test still runs", () => expect(1 + 1).toBe(2));\n`);

async function vitest(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [VITEST, "run", ...args], { cwd: project, env: { ...process.env, NO_COLOR: "1", CI: "1" }, maxBuffer: 64 << 20 });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

describe("tunegate() in a project's vitest.config", () => {
  it("turns the YAML into tests beside the project's ordinary tests, and reports", async () => {
    const { code, out } = await vitest();
    expect(code, out).toBe(0);
    expect(out).toMatch(/Tests\s+92 passed \(92\)/); // 45 cases x 2 arms + gate + the plain test
    expect(out).toContain("verdict   FINE-TUNE");
    expect(out).toMatch(/^92 passed, 0 failed$/m);
    expect(JSON.parse(readFileSync(join(project, "out/report.json"), "utf8")).suites).toHaveLength(1);
  });

  it("names misses in the test list and filters cases with -t like any test", async () => {
    const { code, out } = await vitest("--reporter=verbose", "-t", "cancel");
    expect(code, out).toBe(0);
    const cases = (parse(readFileSync(join(project, "triage.cases.yaml"), "utf8")) as { cases: Array<{ input: string; expected: string }> }).cases;
    const matching = cases.filter((c) => `${c.input} → ${c.expected}`.includes("cancel")).length;
    const run = out.split("\n").filter((line) => /✓ .* → /.test(line));
    expect(matching).toBeGreaterThan(5);
    expect(run).toHaveLength(2 * matching); // each arm
    for (const line of run) expect(line.toLowerCase()).toContain("cancel");
    expect(out).toContain("Please close my account. → cancellation (missed: inquiry)");
  });
});
