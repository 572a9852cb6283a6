// action.yml and the example workflow against the published metadata and workflow schemas (SchemaStore's,
// as @action-validator/core bundles them), and against what the entry actually reads and writes.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { validateAction, validateWorkflow } from "@action-validator/core";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { INPUT_NAMES } from "../../src/action/inputs.js";
import { actionOutputs, OUTPUT_NAMES } from "../../src/action/outputs.js";
import { reportOf, rows } from "./reports.js";

const ROOT = join(import.meta.dirname, "../..");
const actionSource = readFileSync(join(ROOT, "action.yml"), "utf8");
const workflowSource = readFileSync(join(ROOT, "examples/workflow.yml"), "utf8");

interface Step {
  id?: string;
  uses?: string;
  with?: Record<string, unknown>;
  if?: string;
}

describe("action.yml", () => {
  it("is valid action metadata", () => {
    expect(validateAction(actionSource).errors).toEqual([]);
  });

  it("is checked for real: the validator refuses a composite step without a shell", () => {
    const broken = actionSource.replace("    - name: Run tunegate\n      id: tunegate\n      shell: bash\n", "    - name: Run tunegate\n      id: tunegate\n");
    expect(broken).not.toBe(actionSource);
    expect(validateAction(broken).errors.length).toBeGreaterThan(0);
    expect(validateAction(actionSource.replace("color: purple", "color: pink")).errors.length).toBeGreaterThan(0);
  });

  it("declares every output the entry writes, each taken from the entry's step", () => {
    const action = parse(actionSource) as { outputs: Record<string, { value: string }> };
    const written = [...Object.keys(actionOutputs(reportOf({ cases: rows(1) }), "r.json")), "regression"];
    expect(Object.keys(action.outputs).sort()).toEqual(written.sort());
    // The names the entry empties on every run are exactly the declared ones.
    expect([...OUTPUT_NAMES].sort()).toEqual(written.sort());
    for (const [name, output] of Object.entries(action.outputs)) expect(output.value).toBe(`\${{ steps.tunegate.outputs.${name} }}`);
  });

  it("installs with npm ci in the action's folder and sets up Node only when the runner's is too old", () => {
    const action = parse(actionSource) as { runs: { using: string; steps: Array<Step & { run?: string }> } };
    expect(action.runs.using).toBe("composite");
    const setup = action.runs.steps.find((s) => s.uses?.startsWith("actions/setup-node@"));
    expect(setup?.if).toBe("steps.node.outputs.usable != 'true'");
    expect(action.runs.steps.some((s) => s.run?.includes('cd "$GITHUB_ACTION_PATH" && npm ci'))).toBe(true);
  });

  it("installs the production dependencies only, and builds with one of them", () => {
    const action = parse(actionSource) as { runs: { steps: Array<Step & { run?: string }> } };
    const install = action.runs.steps.find((s) => s.run?.includes("npm ci"))!.run!;
    expect(install).toContain("npm ci --omit=dev");
    expect(install).toContain("npm run build:action");
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string>; dependencies: Record<string, string> };
    const tool = pkg.scripts["build:action"]!.split(" ")[0]!;
    expect(Object.keys(pkg.dependencies)).toContain(tool);
    // No install script of tunegate's own (consumers' npm would list it): the build runs when packing.
    for (const script of ["preinstall", "install", "postinstall", "prepare"]) expect(pkg.scripts[script], script).toBeUndefined();
    expect(pkg.scripts.prepack).toBe("npm run build");
  });
});

describe("examples/workflow.yml", () => {
  const workflow = parse(workflowSource) as { jobs: Record<string, { steps: Step[] }> };
  const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);

  it("is a valid workflow", () => {
    expect(validateWorkflow(workflowSource).errors).toEqual([]);
    expect(validateWorkflow(workflowSource.replace("    runs-on: ubuntu-latest", "    run-on: ubuntu-latest")).errors.length).toBeGreaterThan(0);
  });

  it("passes tunegate only inputs it has, caches the models, keeps the report and fetches the baseline", () => {
    const tunegate = steps.find((s) => s.id === "tunegate")!;
    for (const input of Object.keys(tunegate.with ?? {})) expect(INPUT_NAMES).toContain(input);
    expect(steps.some((s) => s.uses?.startsWith("actions/cache@"))).toBe(true);
    expect(steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"))?.if).toContain("!cancelled()");
    expect(steps.some((s) => s.uses?.startsWith("dawidd6/action-download-artifact@"))).toBe(true);
  });
});

describe("the README's sharded workflow", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("**A suite sharded across jobs.**"));
  const source = /```yaml\n([\s\S]*?)```/.exec(section)![1]!;
  const workflow = parse(source) as { jobs: Record<string, { needs?: string; strategy?: { matrix: { shard: number[] } }; steps: Array<Step & { run?: string }> }> };

  it("is a valid workflow: a matrix of shards uploading parts, and one merge job that passes the Action only inputs it has", () => {
    expect(validateWorkflow(`on: push\n${source}`).errors).toEqual([]);
    const shards = workflow.jobs.shard!;
    const count = shards.strategy!.matrix.shard.length;
    expect(shards.steps.find((s) => s.run?.includes("--shard"))!.run).toContain(`--shard \${{ matrix.shard }}/${count} --json parts/`);
    expect(shards.steps.some((s) => s.uses?.startsWith("actions/upload-artifact@"))).toBe(true);
    const merge = workflow.jobs.merge!;
    expect(merge.needs).toBe("shard");
    expect(merge.steps.some((s) => s.uses?.startsWith("actions/download-artifact@"))).toBe(true);
    const step = merge.steps.find((s) => s.with?.merge !== undefined)!;
    for (const input of Object.keys(step.with ?? {})) expect(INPUT_NAMES).toContain(input);
  });
});
