// The suite's optional `engine:` block: read with env references expanded, an API key only from a
// TUNEGATE_* variable (a pull request's suite must not send a CI secret to a server it names), and the run
// options that name an engine instead.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseRunArguments } from "../../src/cli/run.js";
import { loadSuiteFromText } from "../../src/suite/loader.js";
import { scratchDir, suiteYaml } from "./helpers.js";

const scratch = scratchDir();
const load = (rest: string, env: Record<string, string> = {}) =>
  loadSuiteFromText(suiteYaml({ rest: `volume: { calls_per_day: 1000 }\n${rest}` }), join(scratch, "engine.cases.yaml"), { env, checkModelFiles: false });

describe("the engine block", () => {
  it("is read with its settings and env references expanded", async () => {
    const { suite, diagnostics } = await load(
      "engine:\n  url: http://${env:TUNEGATE_HOST}:8080\n  kind: llama-server\n  api_key: ${env:TUNEGATE_ENGINE_KEY}\n  concurrency: 4\n  timeout_ms: 5000\n  retries: 2",
      { TUNEGATE_HOST: "gpu-box", TUNEGATE_ENGINE_KEY: "k-123" },
    );
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(suite!.engine).toMatchObject({ url: "http://gpu-box:8080", kind: "llama-server", apiKey: "k-123", concurrency: 4, timeoutMs: 5000, retries: 2 });
  });

  it("reads the arms' served model names", async () => {
    const { suite, diagnostics } = await load("engine:\n  url: http://h:8000\n  kind: vllm\n  models: { base: meta-llama/Llama-3.1-8B, lora: support-v3 }");
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(suite!.engine).toMatchObject({ kind: "vllm", models: { base: "meta-llama/Llama-3.1-8B", lora: "support-v3" } });
    const { diagnostics: refused } = await load("engine:\n  url: http://h:1\n  models: { adapter: x }");
    expect(refused.some((d) => d.severity === "error")).toBe(true);
  });

  it("is absent when not written", async () => {
    const { suite } = await load("");
    expect(suite!.engine).toBeUndefined();
  });

  it.each([
    ["a key written in the file", "api_key: sk-live-123"],
    ["a key from a variable that is not TUNEGATE_*", "api_key: ${env:GITHUB_TOKEN}"],
    ["an unknown kind", "kind: ollama"],
    ["a zero concurrency", "concurrency: 0"],
    ["an unknown key", "model: x"],
  ])("refuses %s", async (_, line) => {
    const { diagnostics } = await load(`engine:\n  url: http://h:1\n  ${line}`, { GITHUB_TOKEN: "ghp_secret" });
    const errors = diagnostics.filter((d) => d.severity === "error");
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.map((d) => `${d.message} ${d.hint ?? ""}`).join(" ")).not.toContain("ghp_secret");
    expect(errors[0]!.location.line).toBeGreaterThan(1);
  });

  it.each([
    ["in the path", "https://evil.example/${env:GITHUB_TOKEN}"],
    ["as the password (sent as the bearer key)", "https://x:${env:GITHUB_TOKEN}@evil.example/"],
    ["with a default", "http://${env:HF_TOKEN:-h}:1"],
  ])("refuses a url that reads a variable other than TUNEGATE_* %s, quoting no value", async (_, url) => {
    const { suite, diagnostics } = await load(`engine:\n  url: "${url}"`, { GITHUB_TOKEN: "ghp_secret", HF_TOKEN: "hf_secret" });
    const errors = diagnostics.filter((d) => d.severity === "error");
    expect(errors.map((d) => d.message).join(" ")).toContain("may only use ${env:TUNEGATE_...} variables");
    expect(errors.map((d) => `${d.message} ${d.hint ?? ""}`).join(" ")).not.toMatch(/ghp_secret|hf_secret/);
    expect(suite?.engine).toBeUndefined();
  });

  it("names an unset variable without a value", async () => {
    const { diagnostics } = await load("engine:\n  url: ${env:TUNEGATE_ENGINE_URL}");
    expect(diagnostics.some((d) => d.severity === "error" && d.code === "env-unset" && d.message.includes("TUNEGATE_ENGINE_URL"))).toBe(true);
  });
});

describe("tunegate run's engine options", () => {
  it("--engine-url, --engine-kind and --engine-concurrency become the plugin's engine", () => {
    expect(parseRunArguments(["s.cases.yaml", "--engine-url", "http://127.0.0.1:8080", "--engine-kind", "llama-server", "--engine-concurrency", "3"])).toMatchObject({
      plugin: { engine: { url: "http://127.0.0.1:8080", kind: "llama-server", concurrency: 3 } },
    });
  });
  it("--engine-model-base and --engine-model-lora name the arms' served models", () => {
    expect(parseRunArguments(["--engine-url", "http://h:1", "--engine-model-base", "base-hf", "--engine-model-lora", "support-v3"])).toMatchObject({
      plugin: { engine: { url: "http://h:1", models: { base: "base-hf", lora: "support-v3" } } },
    });
    expect(() => parseRunArguments(["--engine-url", "http://h:1", "--engine-model-lora", " "])).toThrow(/--engine-model-lora must name a served model/);
  });
  it("refuses an unknown kind and a zero concurrency", () => {
    expect(() => parseRunArguments(["--engine-url", "http://h:1", "--engine-kind", "ollama"])).toThrow(/--engine-kind must be one of llama-server, vllm, sglang, openai/);
    expect(() => parseRunArguments(["--engine-url", "http://h:1", "--engine-concurrency", "0"])).toThrow(/at least 1/);
  });
});
