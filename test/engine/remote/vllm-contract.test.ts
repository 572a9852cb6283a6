// Contract test of the vLLM backend against a stand-in server (test/helpers/fake-engine.ts) that answers in
// vLLM's shapes, as its source writes them (vllm-project/vllm main, 2025): GET /v1/models → ModelList of
// ModelCard {id, owned_by: "vllm", root, parent, max_model_len} (entrypoints/openai/models/serving.py);
// POST /tokenize {model, prompt, add_special_tokens} → {count, max_model_len, tokens}; POST /v1/completions
// with CompletionRequest's prompt (token ids), allowed_token_ids, logprobs, return_tokens_as_token_ids →
// choices[0].logprobs {tokens: ["token_id:N"], token_logprobs} and usage. Not a real vLLM: no GPU engine can
// run here. The scores come from a deterministic table, so a field sent or read wrongly changes the numbers.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRemoteEngine } from "../../../src/engine/remote/remote-engine.js";
import { renderFewShotPrompt, renderLoraPrompt } from "../../../src/prompts.js";
import type { TunegateError } from "../../../src/errors.js";
import type { Suite } from "../../../src/types.js";
import { fakeSuite, fakeTokenize, serveFake, tableLogprob, tableScore, tableTop, type Answer, type FakeArm, type FakeServer, type Received } from "../../helpers/fake-engine.js";
import { temporaryDir } from "../../helpers/forged.js";

const LABELS = ["happy", "sad"];
let suite: Suite;
let servers: FakeServer[] = [];

beforeAll(async () => {
  suite = await fakeSuite(temporaryDir());
});

afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

interface VllmOptions {
  /** The model cards /v1/models lists. */
  cards?: Record<string, unknown>[];
  /** Replaces the answer to the n-th /v1/completions request (0-based). */
  completion?: (n: number, request: Received) => Answer | undefined;
}

async function fakeVllm(options: VllmOptions = {}): Promise<FakeServer> {
  const cards = options.cards ?? [
    { id: "base-model", object: "model", owned_by: "vllm", root: suite.fewShot.model.path, parent: null, max_model_len: 4096 },
    { id: "feelings", object: "model", owned_by: "vllm", root: suite.lora.adapter.path, parent: "base-model" },
  ];
  const arms: Record<string, FakeArm> = { "base-model": "base", feelings: "lora" };
  let completions = 0;
  const server = await serveFake((request) => {
    const body = request.body as Record<string, unknown>;
    if (request.path === "/health") return { body: {} };
    if (request.path === "/version") return { body: { version: "0.11.0" } };
    if (request.path === "/v1/models") return { body: { object: "list", data: cards } };
    if (request.path === "/tokenize") {
      const tokens = fakeTokenize(body.prompt as string, body.add_special_tokens !== false);
      return { body: { count: tokens.length, max_model_len: 4096, tokens } };
    }
    if (request.path === "/v1/completions") {
      const replaced = options.completion?.(completions++, request);
      if (replaced) return replaced;
      const arm = arms[body.model as string];
      if (arm === undefined) return { status: 404, body: { error: { message: `The model \`${String(body.model)}\` does not exist.`, type: "NotFoundError", code: 404 } } };
      const prompt = body.prompt as number[];
      const allowed = body.allowed_token_ids as number[] | undefined;
      const token = allowed ? allowed[0]! : tableTop(prompt, arm).token;
      return {
        body: {
          id: "cmpl-1",
          object: "text_completion",
          model: body.model,
          choices: [
            {
              index: 0,
              text: "x",
              logprobs: { text_offset: [0], token_logprobs: [tableLogprob(prompt, token, arm)], tokens: [body.return_tokens_as_token_ids ? `token_id:${token}` : "x"], top_logprobs: null },
              finish_reason: "length",
            },
          ],
          usage: { prompt_tokens: prompt.length, completion_tokens: 1, total_tokens: prompt.length + 1, prompt_tokens_details: { cached_tokens: 0 } },
        },
      };
    }
    return undefined;
  });
  servers.push(server);
  return server;
}

const expected = (arm: FakeArm, input: string, label: string) => {
  const text = arm === "base" ? renderFewShotPrompt(suite.fewShot, input) : renderLoraPrompt(suite.lora, input);
  return tableScore(fakeTokenize(text, true), fakeTokenize(` ${label}`), arm);
};

describe("vLLM backend (contract, not a real vLLM)", () => {
  it("scores every label exactly as the table, choosing the arm by model name, one allowed token per request", async () => {
    const server = await fakeVllm();
    await using engine = createRemoteEngine({ url: server.url, kind: "vllm" });
    const run = await engine.runSuite(suite);
    for (const [arm, name] of [["base", "few_shot"], ["lora", "lora"]] as const) {
      run.arms[name].cases.forEach((c, i) => {
        for (const label of LABELS) expect(c.scores[label]).toBeCloseTo(expected(arm, suite.cases[i]!.input, label), 9);
      });
    }
    expect(run.engine).toMatchObject({ kind: "vllm", remote: { version: "0.11.0", concurrency: 32 } });
    const completions = server.received.filter((r) => r.path === "/v1/completions").map((r) => r.body as Record<string, unknown>);
    for (const body of completions.filter((b) => b.allowed_token_ids !== undefined)) {
      expect(body).toMatchObject({ max_tokens: 1, temperature: 0, logprobs: 0, return_tokens_as_token_ids: true });
      expect((body.allowed_token_ids as number[]).length).toBe(1);
      expect((body.prompt as number[]).every((t) => Number.isInteger(t))).toBe(true);
    }
    // Phases: after the canaries, every few-shot request, then every LoRA one; each label token its own request;
    // after each arm's scoring, one production-shaped call per case for its latency (no log-probabilities asked).
    const perArm = suite.cases.length * LABELS.reduce((n, l) => n + fakeTokenize(` ${l}`).length, 0);
    const cases = suite.cases.length;
    const tail = completions.slice(-2 * (perArm + cases)).map((b) => `${String(b.model)}${b.logprobs === undefined ? " call" : ""}`);
    expect(tail).toEqual([...Array(perArm).fill("base-model"), ...Array(cases).fill("base-model call"), ...Array(perArm).fill("feelings"), ...Array(cases).fill("feelings call")]);
    for (const body of completions.slice(-2 * (perArm + cases)).filter((b) => b.logprobs === undefined)) {
      expect(Object.keys(body).sort()).toEqual(["max_tokens", "model", "prompt", "stream", "temperature"]);
      expect(body.max_tokens).toBeGreaterThanOrEqual(1);
    }
    expect(engine.lastCanaries!.lora).not.toBeCloseTo(engine.lastCanaries!.base, 3);
    // A canary request is evaluated afresh: its own cache salt.
    expect(completions.some((b) => typeof b.cache_salt === "string")).toBe(true);
  });

  it("detects vLLM when no kind is given", async () => {
    const server = await fakeVllm();
    await using engine = createRemoteEngine({ url: server.url });
    expect((await engine.describe()).runtime).toBe("vLLM");
    expect(engine.kind).toBe("vllm");
  });

  it("matches by the configured names, and names both sides when the server serves something else", async () => {
    const named = await fakeVllm({
      cards: [
        { id: "meta/base-hf", owned_by: "vllm", root: "/models/base-hf", parent: null, max_model_len: 4096 },
        { id: "feelings", owned_by: "vllm", root: "/adapters/feelings", parent: "meta/base-hf" },
      ],
    });
    // Paths that are not the suite's files: refused, naming both.
    {
      await using engine = createRemoteEngine({ url: named.url, kind: "vllm" });
      const error = (await engine.runSuite(suite).catch((e: unknown) => e)) as TunegateError;
      expect(error.code).toBe("ENGINE_MISMATCH");
      expect(error.message).toContain("base.gguf");
      expect(error.message).toContain('"meta/base-hf" ("/models/base-hf")');
      expect(error.hint).toContain("--engine-model-base");
    }
    // A configured adapter name the server does not serve.
    {
      await using engine = createRemoteEngine({ url: named.url, kind: "vllm", models: { base: "meta/base-hf", lora: "feelings-v2" } });
      const error = (await engine.runSuite(suite).catch((e: unknown) => e)) as TunegateError;
      expect(error.code).toBe("ENGINE_MISMATCH");
      expect(error.message).toMatch(/no adapter named "feelings-v2".*it serves: "feelings" \("\/adapters\/feelings"\)/);
    }
  });

  it("refuses an adapter served on another base model, and a lora.scale it cannot apply", async () => {
    const server = await fakeVllm({
      cards: [
        { id: "base-model", owned_by: "vllm", root: suite.fewShot.model.path, parent: null },
        { id: "other-base", owned_by: "vllm", root: "/models/other", parent: null },
        { id: "feelings", owned_by: "vllm", root: suite.lora.adapter.path, parent: "other-base" },
      ],
    });
    await using engine = createRemoteEngine({ url: server.url, kind: "vllm" });
    const error = (await engine.runSuite(suite).catch((e: unknown) => e)) as TunegateError;
    expect(error.message).toContain('is served on the base model "other-base", not on "base-model"');
    const scaled = { ...suite, lora: { ...suite.lora, scale: 0.5 } };
    const refused = (await engine.runSuite(scaled).catch((e: unknown) => e)) as TunegateError;
    expect(refused.code).toBe("ENGINE_UNSUPPORTED");
    expect(refused.message).toContain("lora.scale: 0.5");
  });

  it("shows a 4xx configuration error's own message without retrying it", async () => {
    const server = await fakeVllm({ completion: () => ({ status: 400, body: { error: { message: "allowed_token_ids contains out-of-vocab token id", type: "BadRequestError", code: 400 } } }) });
    await using engine = createRemoteEngine({ url: server.url, kind: "vllm", retries: 3, backoffMs: 1 });
    const error = (await engine.runSuite(suite).catch((e: unknown) => e)) as TunegateError;
    expect(error.code).toBe("ENGINE_REQUEST_FAILED");
    expect(error.message).toContain("HTTP 400: allowed_token_ids contains out-of-vocab token id");
    expect(server.received.filter((r) => r.path === "/v1/completions")).toHaveLength(1);
  });

  it("retries a 503 and then scores as if nothing happened", async () => {
    const server = await fakeVllm({ completion: (n) => (n === 0 || n === 5 ? { status: 503, body: { error: { message: "overloaded" } } } : undefined) });
    await using engine = createRemoteEngine({ url: server.url, kind: "vllm", retries: 2, backoffMs: 1 });
    const run = await engine.runSuite(suite);
    expect(run.arms.lora.cases[0]!.scores.sad).toBeCloseTo(expected("lora", suite.cases[0]!.input, "sad"), 9);
  });
});
