// Contract test of the SGLang backend against a stand-in server (test/helpers/fake-engine.ts) in SGLang's
// shapes, as its source writes them (sgl-project/sglang main, 2025): /get_model_info {model_path},
// /get_server_info {…server args, lora_paths, version}, /v1/tokenize {prompt, add_special_tokens} → {tokens},
// /generate with input_ids (a batch), return_logprob, logprob_start_len, lora_path → per item meta_info
// {input_token_logprobs: [[logprob, id, text]…] over input_ids[logprob_start_len:], the first padded with a
// null logprob (scheduler_output_processor_mixin.py), prompt_tokens, cached_tokens}. Not a real SGLang.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRemoteEngine } from "../../../src/engine/remote/remote-engine.js";
import { renderFewShotPrompt, renderLoraPrompt } from "../../../src/prompts.js";
import type { TunegateError } from "../../../src/errors.js";
import type { Suite } from "../../../src/types.js";
import { fakeSuite, fakeTokenize, serveFake, tableLogprob, tableScore, tableTop, type Answer, type FakeArm, type FakeServer, type Received } from "../../helpers/fake-engine.js";
import { temporaryDir } from "../../helpers/forged.js";

let suite: Suite;
let servers: FakeServer[] = [];

beforeAll(async () => {
  suite = await fakeSuite(temporaryDir());
});

afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function fakeSglang(options: { lora_paths?: unknown; generate?: (n: number, request: Received) => Answer | undefined } = {}): Promise<FakeServer> {
  let generates = 0;
  const server = await serveFake((request) => {
    const body = request.body as Record<string, unknown>;
    if (request.path === "/health") return { body: {} };
    if (request.path === "/get_model_info") return { body: { model_path: suite.fewShot.model.path, tokenizer_path: suite.fewShot.model.path, is_generation: true } };
    if (request.path === "/get_server_info") {
      return { body: { model_path: suite.fewShot.model.path, lora_paths: options.lora_paths ?? { feelings: suite.lora.adapter.path }, context_length: 4096, max_running_requests: 8, version: "0.5.4" } };
    }
    if (request.path === "/v1/tokenize") return { body: { tokens: fakeTokenize(body.prompt as string, body.add_special_tokens !== false), count: 0, max_model_len: 4096 } };
    if (request.path === "/generate") {
      const replaced = options.generate?.(generates++, request);
      if (replaced) return replaced;
      const inputs = body.input_ids as number[][];
      const paths = body.lora_path as (string | null)[];
      const sampling = body.sampling_params as { max_new_tokens: number };
      return {
        body: inputs.map((ids, i) => {
          const arm: FakeArm = paths[i] === "feelings" ? "lora" : "base";
          const start = (body.logprob_start_len as number | undefined) ?? ids.length;
          const input = ids.slice(start).map((id, k) => [k === 0 ? null : tableLogprob(ids.slice(0, start + k), id, arm), id, null]);
          const top = tableTop(ids, arm);
          return {
            text: "",
            meta_info: {
              prompt_tokens: ids.length,
              completion_tokens: sampling.max_new_tokens,
              cached_tokens: 0,
              input_token_logprobs: body.return_logprob ? input : undefined,
              output_token_logprobs: sampling.max_new_tokens > 0 ? [[top.logprob, top.token, null]] : [],
              finish_reason: { type: "length", length: sampling.max_new_tokens },
            },
          };
        }),
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

describe("SGLang backend (contract, not a real SGLang)", () => {
  it("scores every label exactly as the table, one batched /generate per case, lora_path always sent", async () => {
    const server = await fakeSglang();
    await using engine = createRemoteEngine({ url: server.url, kind: "sglang" });
    const run = await engine.runSuite(suite);
    for (const [arm, name] of [["base", "few_shot"], ["lora", "lora"]] as const) {
      run.arms[name].cases.forEach((c, i) => {
        for (const label of ["happy", "sad"]) expect(c.scores[label]).toBeCloseTo(expected(arm, suite.cases[i]!.input, label), 9);
      });
    }
    expect(run.engine).toMatchObject({ kind: "sglang", contextSize: 4096, remote: { version: "0.5.4", concurrency: 8 } });
    const generates = server.received.filter((r) => r.path === "/generate").map((r) => r.body as Record<string, unknown>);
    // The cases' requests: both labels in one batch (a canary scores one label at a time).
    const scoring = generates.filter((b) => (b.sampling_params as { max_new_tokens: number }).max_new_tokens === 0 && (b.input_ids as unknown[]).length === 2);
    expect(scoring.length).toBeGreaterThanOrEqual(2 * suite.cases.length);
    for (const body of scoring) {
      const inputs = body.input_ids as number[][];
      expect(body.return_logprob).toBe(true);
      // The prompt's last token is the first position read: its entry is the padded null.
      const prompt = inputs[0]!.length - fakeTokenize(" happy").length;
      expect(body.logprob_start_len).toBe(prompt - 1);
      expect((body.lora_path as unknown[]).length).toBe(inputs.length);
    }
    const tail = scoring.slice(-2 * suite.cases.length).map((b) => (b.lora_path as unknown[])[0]);
    expect(tail).toEqual([...Array(suite.cases.length).fill(null), ...Array(suite.cases.length).fill("feelings")]);
  });

  it("detects SGLang when no kind is given, and reads lora_paths in SGLang's other shapes", async () => {
    const server = await fakeSglang({ lora_paths: [{ lora_name: "feelings", lora_path: suite.lora.adapter.path, pinned: false }] });
    await using engine = createRemoteEngine({ url: server.url });
    expect((await engine.describe()).runtime).toBe("SGLang");
    const run = await engine.runSuite(suite);
    expect(run.arms.lora.cases[1]!.scores.happy).toBeCloseTo(expected("lora", suite.cases[1]!.input, "happy"), 9);
  });

  it("names the suite's adapter and the server's when they differ", async () => {
    const server = await fakeSglang({ lora_paths: ["other=/adapters/other"] });
    await using engine = createRemoteEngine({ url: server.url, kind: "sglang" });
    const error = (await engine.runSuite(suite).catch((e: unknown) => e)) as TunegateError;
    expect(error.code).toBe("ENGINE_MISMATCH");
    expect(error.message).toMatch(/no adapter loaded from the suite's .*feelings-lora\.gguf.*it serves: "other" \("\/adapters\/other"\)/);
  });

  it("refuses an answer that counts input log-probabilities differently, never misreading it", async () => {
    const server = await fakeSglang({
      generate: (_, request) => {
        const body = request.body as { input_ids: number[][] };
        return { body: body.input_ids.map((ids) => ({ meta_info: { input_token_logprobs: ids.slice(-1).map((id) => [-0.5, id, null]) } })) };
      },
    });
    await using engine = createRemoteEngine({ url: server.url, kind: "sglang" });
    const error = (await engine.runSuite(suite).catch((e: unknown) => e)) as TunegateError;
    expect(error.code).toBe("ENGINE_UNSUPPORTED");
    expect(error.message).toContain("logprob_start_len counted differently");
  });

  it("retries a 503, and shows a 400's message without retrying", async () => {
    const flaky = await fakeSglang({ generate: (n) => (n === 0 ? { status: 503, body: { error: { message: "busy" } } } : undefined) });
    {
      await using engine = createRemoteEngine({ url: flaky.url, kind: "sglang", backoffMs: 1 });
      await expect(engine.runSuite(suite)).resolves.toBeDefined();
    }
    const strict = await fakeSglang({ generate: () => ({ status: 400, body: { error: { message: "LoRA adapter feelings is not loaded" } } }) });
    await using engine = createRemoteEngine({ url: strict.url, kind: "sglang", backoffMs: 1 });
    const error = (await engine.runSuite(suite).catch((e: unknown) => e)) as TunegateError;
    expect(error.message).toContain("HTTP 400: LoRA adapter feelings is not loaded");
    expect(strict.received.filter((r) => r.path === "/generate")).toHaveLength(1);
  });
});
