// `tunegate init` in-process: what it writes for each kind of project, and that it never overwrites.
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { loadSuite } from "../../src/suite/loader.js";
import { temporaryDir } from "../helpers/forged.js";

const base = temporaryDir("tunegate-init-");
let count = 0;

async function init(setup: (dir: string) => void = () => {}, args: string[] = []): Promise<{ dir: string; code: number; out: string[]; err: string[] }> {
  const dir = join(base, String(count++));
  mkdirSync(dir);
  setup(dir);
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(["init", ...args], { stdout: (line) => out.push(line), stderr: (line) => err.push(line), cwd: dir, env: {} });
  return { dir, code, out, err };
}

describe("tunegate init", () => {
  it("writes a CommonJS config where package.json says nothing (or there is none), an ES module one for type: module", async () => {
    const none = await init();
    expect(none.code).toBe(0);
    expect(readFileSync(join(none.dir, "vitest.config.js"), "utf8")).toContain(`require("tunegate/vitest")`);
    const commonjs = await init((dir) => writeFileSync(join(dir, "package.json"), `{ "type": "commonjs" }`));
    expect(readFileSync(join(commonjs.dir, "vitest.config.js"), "utf8")).toContain("module.exports");
    const esm = await init((dir) => writeFileSync(join(dir, "package.json"), `{ "type": "module" }`));
    expect(readFileSync(join(esm.dir, "vitest.config.js"), "utf8")).toContain(`import { tunegate } from "tunegate/vitest"`);
    expect(esm.out).toEqual([
      "tunegate init: wrote suites/triage.cases.yaml",
      "tunegate init: wrote vitest.config.js",
      "tunegate init: wrote .github/workflows/tunegate.yml",
      expect.stringContaining("Next:"),
    ]);
  });

  it("writes a suite that the loader accepts with only its models missing", async () => {
    const { dir } = await init();
    const { diagnostics } = await loadSuite(join(dir, "suites/triage.cases.yaml"), { cwd: dir, env: {}, checkModelFiles: false });
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });

  it("keeps an existing Vite or Vitest config, a file, even a dangling link, names each, exits 2 and writes the rest", async () => {
    const { dir, code, err } = await init((d) => {
      writeFileSync(join(d, "vite.config.ts"), "export default {};\n");
      mkdirSync(join(d, "suites"));
      symlinkSync(join(d, "nowhere"), join(d, "suites/triage.cases.yaml"));
    });
    expect(code).toBe(2);
    expect(err).toEqual([
      "tunegate init: refused to overwrite suites/triage.cases.yaml: it exists and was kept",
      expect.stringMatching(/^tunegate init: refused to overwrite vite\.config\.ts: it exists and was kept; add the plugin to it yourself: .*tunegate\(\)/),
    ]);
    expect(readFileSync(join(dir, "vite.config.ts"), "utf8")).toBe("export default {};\n");
    expect(existsSync(join(dir, "nowhere"))).toBe(false);
    expect(existsSync(join(dir, "vitest.config.js"))).toBe(false);
    expect(existsSync(join(dir, ".github/workflows/tunegate.yml"))).toBe(true);
  });

  it("takes no arguments", async () => {
    const { code, err } = await init(() => {}, ["somewhere"]);
    expect(code).toBe(2);
    expect(err[0]).toContain("takes no arguments");
  });
});
