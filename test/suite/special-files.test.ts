// A suite, cases or model path that is a FIFO (or a link to one) would block validation for ever, waiting
// for a writer; a device reads endlessly. Each is refused, on the line that names it, before it is opened.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { FIXTURE_MODELS, scratchDir, SUITE_FIXTURES } from "./helpers.js";

const dir = scratchDir();

async function validate(...args: string[]) {
  const out: string[] = [];
  const code = await main(["validate", ...args], { stdout: (l) => out.push(l), stderr: (l) => out.push(l), cwd: dir, env: { TUNEGATE_FIXTURE_MODELS: FIXTURE_MODELS } });
  return { code, out: out.join("\n") };
}

function mkfifo(path: string): string {
  execFileSync("mkfifo", [path]);
  return path;
}

describe.skipIf(process.platform === "win32")("special files", () => {
  it("refuses a suite file that is a FIFO or a link to one, without waiting for a writer", { timeout: 10_000 }, async () => {
    mkfifo(join(dir, "pipe.cases.yaml"));
    symlinkSync(join(dir, "pipe.cases.yaml"), join(dir, "linked.cases.yaml"));
    const { code, out } = await validate("pipe.cases.yaml", "linked.cases.yaml");
    expect(code).toBe(2);
    expect(out).toContain(`pipe.cases.yaml:1:1: error: the suite file ${join(dir, "pipe.cases.yaml")} is a FIFO (named pipe), not a file`);
    expect(out).toContain(`linked.cases.yaml:1:1: error: the suite file ${join(dir, "linked.cases.yaml")} is a FIFO (named pipe), not a file`);
  });

  it("refuses a cases file and a model that are FIFOs or devices, at the lines naming them", { timeout: 10_000 }, async () => {
    const folder = join(dir, "suite");
    mkdirSync(join(folder, "cases"), { recursive: true });
    const suite = join(folder, "piped.cases.yaml");
    copyFileSync(join(SUITE_FIXTURES, "valid/jsonl-cases.cases.yaml"), suite);
    mkfifo(join(folder, "cases/triage.jsonl"));
    writeFileSync(suite, readFileSync(suite, "utf8").replace("${env:TUNEGATE_FIXTURE_MODELS:-../models}/base.gguf", "/dev/zero").replace("../models/base.gguf", "/dev/zero"));
    const { code, out } = await validate(suite);
    expect(code).toBe(2);
    expect(out).toMatch(/piped\.cases\.yaml:\d+:\d+: error: the cases file .*triage\.jsonl is a FIFO \(named pipe\), not a file/);
    expect(out).toMatch(/piped\.cases\.yaml:\d+:\d+: error: the base model `few_shot\.model` is a character device, not a GGUF file: \/dev\/zero/);
  });
});
