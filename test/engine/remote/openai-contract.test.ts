// Contract test of the generic OpenAI-compatible backend against a stand-in provider in the OpenAI
// completions API's shapes (legacy completions: choices[0].logprobs {tokens, token_logprobs, text_offset},
// the first echoed token's logprob null; usage {prompt_tokens, completion_tokens}; /v1/models {data: [{id}]}).
// Not a real provider. Text travels as text: the stand-in tokenizes per character with text offsets.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRemoteEngine } from "../../../src/engine/remote/remote-engine.js";
import { renderFewShotPrompt, renderLoraPrompt } from "../../../src/prompts.js";
import type { TunegateError } from "../../../src/errors.js";
import type { Suite } from "../../../src/types.js";
import { fakeSuite, fakeTokenize, serveFake, tableLogprob, tableScore, type FakeArm, type FakeServer } from "../../helpers/fake-engine.js";
import { temporaryDir } from "../../helpers/forged.js";

let dir: string;
let suite: Suite;
let servers: FakeServer[] = [];
const MODELS = { base: "base-model", lora: "ft:base-model:acme::feelings1" };

beforeAll(async () => {
  dir = temporaryDir();
  suite = await fakeSuite(dir);
});

afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

/** A provider; `echo: false` refuses prompt log-probabilities as a chat-era provider does. */
async function fakeProvider(echo: boolean): Promise<FakeServer> {
  const arms: Record<string, FakeArm> = { [MODELS.base]: "base", [MODELS.lora]: "lora" };
  const server = await serveFake((request) => {
    const body = request.body as Record<string, unknown>;
    if (request.path === "/v1/models") return { body: { object: "list", data: Object.keys(arms).map((id) => ({ id, object: "model", owned_by: "acme" })) } };
    if (request.path !== "/v1/completions") return undefined;
    const arm = arms[body.model as string];
    if (arm === undefined) return { status: 404, body: { error: { message: "model not found" } } };
    const text = body.prompt as string;
    const ids = fakeTokenize(text);
    if (body.echo === true) {
      if (!echo) return { status: 400, body: { error: { message: "echo is not supported for this model", type: "invalid_request_error" } } };
      const pieces = [...text];
      return {
        body: {
          choices: [{ index: 0, text, finish_reason: "length", logprobs: { tokens: pieces, token_logprobs: ids.map((id, i) => (i === 0 ? null : tableLogprob(ids.slice(0, i), id, arm))), text_offset: pieces.map((_, i) => i), top_logprobs: null } }],
          usage: { prompt_tokens: ids.length, completion_tokens: 0, total_tokens: ids.length },
        },
      };
    }
    // Generation: the LoRA arm says the expected feeling of the case it recognises, the base arm always "happy".
    const said = arm === "lora" ? (suite.cases.find((c) => text.includes(c.input))?.expected ?? "happy") : "happy";
    return { body: { choices: [{ index: 0, text: ` ${said}\nStory:`, finish_reason: "length" }], usage: { prompt_tokens: ids.length, completion_tokens: 4, total_tokens: ids.length + 4 } } };
  });
  servers.push(server);
  return server;
}

const expected = (arm: FakeArm, input: string, label: string) => {
  const text = arm === "base" ? renderFewShotPrompt(suite.fewShot, input) : renderLoraPrompt(suite.lora, input);
  return tableScore(fakeTokenize(text), fakeTokenize(` ${label}`), arm);
};

describe("OpenAI-compatible backend (contract, not a real provider)", () => {
  it("scores labels exactly from echoed prompt log-probabilities, each arm by its model id", async () => {
    const server = await fakeProvider(true);
    await using engine = createRemoteEngine({ url: server.url, kind: "openai", models: MODELS });
    const run = await engine.runSuite(suite);
    for (const [arm, name] of [["base", "few_shot"], ["lora", "lora"]] as const) {
      run.arms[name].cases.forEach((c, i) => {
        for (const label of ["happy", "sad"]) expect(c.scores[label]).toBeCloseTo(expected(arm, suite.cases[i]!.input, label), 9);
      });
    }
    const all = server.received.filter((r) => r.path === "/v1/completions").map((r) => r.body as Record<string, unknown>);
    const bodies = all.filter((b) => b.echo === true);
    for (const body of bodies) expect(body).toMatchObject({ echo: true, max_tokens: 0, logprobs: 0, temperature: 0 });
    // Latency comes from one production-shaped call per case and arm: a completion, nothing else asked.
    const calls = all.filter((b) => b.echo === undefined);
    expect(calls).toHaveLength(2 * suite.cases.length);
    for (const body of calls) expect(Object.keys(body).sort()).toEqual(["max_tokens", "model", "prompt", "temperature"]);
    expect(new Set(bodies.map((b) => b.model))).toEqual(new Set([MODELS.base, MODELS.lora]));
    // Token figures come from usage only: the minimum is not known.
    expect(run.arms.lora.tokensMinimum).toBe(0);
    expect(run.arms.lora.tokensEvaluated).toBeGreaterThan(0);
  });

  it("refuses scoring: logprob on a provider without prompt log-probabilities, with its reason, and runs generate", async () => {
    const server = await fakeProvider(false);
    await using engine = createRemoteEngine({ url: server.url, kind: "openai", models: MODELS });
    const error = (await engine.runSuite(suite).catch((e: unknown) => e)) as TunegateError;
    expect(error.code).toBe("ENGINE_UNSUPPORTED");
    expect(error.message).toContain("returns no prompt log-probabilities");
    expect(error.message).toContain("echo is not supported for this model");
    expect(error.hint).toContain("scoring: generate");
    const generate = await fakeSuite(temporaryDir(), "generate");
    const run = await engine.runSuite(generate);
    expect(run.arms.lora.cases.map((c) => c.predicted)).toEqual(generate.cases.map((c) => c.expected));
    expect(run.arms.few_shot.cases.map((c) => c.generated)).toEqual(generate.cases.map(() => " happy\n"));
    const generations = server.received.filter((r) => r.path === "/v1/completions" && (r.body as { echo?: boolean }).echo !== true);
    for (const r of generations) expect(r.body).toMatchObject({ temperature: 0, max_tokens: 10 });
  });

  it("needs both model names, and checks them against the provider's list", async () => {
    const server = await fakeProvider(true);
    {
      await using engine = createRemoteEngine({ url: server.url, kind: "openai", models: { base: MODELS.base } });
      const error = (await engine.runSuite(suite).catch((e: unknown) => e)) as TunegateError;
      expect(error.code).toBe("BAD_ENGINE");
      expect(error.hint).toContain("--engine-model-lora");
    }
    await using engine = createRemoteEngine({ url: server.url, kind: "openai", models: { ...MODELS, lora: "ft:base-model:acme::gone" } });
    const error = (await engine.runSuite(suite).catch((e: unknown) => e)) as TunegateError;
    expect(error.code).toBe("ENGINE_MISMATCH");
    expect(error.message).toContain('no model named "ft:base-model:acme::gone"');
  });

  it("is what an unknown server is taken for when no kind is given", async () => {
    const server = await fakeProvider(true);
    await using engine = createRemoteEngine({ url: server.url, models: MODELS });
    expect((await engine.describe()).runtime).toBe("OpenAI-compatible");
    expect(engine.kind).toBe("openai");
  });
});

describe("kind detection", () => {
  it("takes a server with /props for llama-server, before any other probe", async () => {
    const server = await serveFake((r) => (r.path === "/props" ? { body: { build_info: "b6000", default_generation_settings: { n_ctx: 2048 } } } : undefined));
    servers.push(server);
    const { detectKind } = await import("../../../src/engine/remote/detect.js");
    const { HttpClient } = await import("../../../src/engine/remote/http.js");
    expect(await detectKind(new HttpClient({ baseUrl: server.url, timeoutMs: 1000, retries: 0 }))).toBe("llama-server");
    expect(server.received.map((r) => r.path)).toEqual(["/props"]);
  });
});
