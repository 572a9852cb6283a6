// The llama-server request and response shapes, as its source writes them (tools/server/server-task.cpp in the
// llama.cpp that node-llama-cpp 3.21.1 bundles): what tunegate reads from a forced completion and from a
// generation, and what it refuses. The same parsers run against the real server in llama-server.test.ts.
import { describe, expect, it } from "vitest";
import { generatedUpToFirstWord, labelLogprobs, requestCost, tokenGrammar } from "../../../src/engine/remote/llama-server.js";
import { mapBounded, PoolFailure } from "../../../src/engine/remote/pool.js";
import { resolveRemoteEngine } from "../../../src/engine/remote/options.js";
import { LOG_PROBABILITY_FLOOR } from "../../../src/engine/tokens.js";
import { TunegateError } from "../../../src/errors.js";

/** One entry of completion_probabilities with post_sampling_probs off (probs_vector_to_json). */
const entry = (id: number, token: string, logprob: number | null) => ({ id, token, bytes: [...Buffer.from(token)], logprob, top_logprobs: [{ id, token, bytes: [], logprob }] });

describe("token grammar", () => {
  it("forces exactly the label's tokens, in order", () => {
    expect(tokenGrammar([319])).toBe("root ::= <[319]>");
    expect(tokenGrammar([29871, 4086, 0])).toBe("root ::= <[29871]> <[4086]> <[0]>");
  });
  it("refuses an empty or invalid label", () => {
    expect(() => tokenGrammar([])).toThrow();
    expect(() => tokenGrammar([1.5])).toThrow();
    expect(() => tokenGrammar([-1])).toThrow();
  });
});

describe("label log-probabilities from /completion", () => {
  it("reads each forced token's logprob, floored like the in-process engine", () => {
    const body = { content: " billing", tokens: [5, 9], completion_probabilities: [entry(5, " bill", -0.25), entry(9, "ing", -1e9)] };
    expect(labelLogprobs(body, [5, 9])).toEqual([-0.25, LOG_PROBABILITY_FLOOR]);
    expect(labelLogprobs({ completion_probabilities: [entry(5, "x", null)] }, [5])).toEqual([LOG_PROBABILITY_FLOOR]);
  });

  it("refuses a response without probabilities, with too few, or with another token than forced", () => {
    const refused = (body: unknown, label: number[]) => {
      try {
        labelLogprobs(body, label);
      } catch (error) {
        return (error as TunegateError).code;
      }
      return "accepted";
    };
    expect(refused({ content: "x" }, [5])).toBe("ENGINE_UNSUPPORTED");
    expect(refused({ completion_probabilities: [entry(5, "x", -1)] }, [5, 6])).toBe("ENGINE_UNSUPPORTED");
    expect(refused({ completion_probabilities: [entry(7, "x", -1)] }, [5])).toBe("ENGINE_UNSUPPORTED");
    // A post-sampling "prob" field instead of "logprob", or a NaN: never a score.
    expect(refused({ completion_probabilities: [{ id: 5, token: "x", prob: 0.4 }] }, [5])).toBe("MODEL_OUTPUT_INVALID");
    expect(refused({ completion_probabilities: [entry(5, "x", Number.NaN)] }, [5])).toBe("MODEL_OUTPUT_INVALID");
    expect(refused({ completion_probabilities: [entry(5, "x", 0.7)] }, [5])).toBe("MODEL_OUTPUT_INVALID");
  });

  it("reads the cost from timings", () => {
    expect(requestCost({ tokens_cached: 120, timings: { cache_n: 118, prompt_n: 7, predicted_n: 2 } })).toEqual({ promptEvaluated: 7, cached: 118, predicted: 2 });
    expect(requestCost({ tokens_cached: 5 })).toEqual({ promptEvaluated: 0, cached: 5, predicted: 0 });
  });
});

describe("generation cut at the first complete word", () => {
  const generation = (pieces: string[], stop_type = "limit") => ({
    tokens: pieces.map((_, i) => 100 + i),
    stop_type,
    completion_probabilities: pieces.map((p, i) => entry(100 + i, p, -0.1)),
  });
  it("keeps the tokens up to the one that completes the first word", () => {
    expect(generatedUpToFirstWord(generation([" bill", "ing", ".", " The", " customer"]))).toEqual({ text: " billing. The", tokens: [100, 101, 102, 103], endedByModel: false });
  });
  it("keeps everything when no word completes, and says whether the model ended it", () => {
    expect(generatedUpToFirstWord(generation([" refund"], "eos"))).toEqual({ text: " refund", tokens: [100], endedByModel: true });
    expect(generatedUpToFirstWord(generation([" a", "b"]))).toMatchObject({ text: " ab", endedByModel: false });
  });
  it("refuses a generation without tokens", () => {
    expect(() => generatedUpToFirstWord({ content: "x" })).toThrow(TunegateError);
  });
});

describe("bounded concurrency", () => {
  it("keeps at most `limit` tasks in flight and returns results in order", async () => {
    let inFlight = 0;
    let most = 0;
    const results = await mapBounded([5, 1, 4, 2, 3, 0], 2, async (n) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, n));
      inFlight--;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30, 0]);
    expect(most).toBe(2);
  });

  it("stops starting tasks at the first failure and counts what did not finish", async () => {
    const started: number[] = [];
    const failure = (await mapBounded([0, 1, 2, 3, 4, 5, 6, 7], 2, async (n) => {
      started.push(n);
      await new Promise((r) => setTimeout(r, 1));
      if (n === 2) throw new Error("gone");
      return n;
    }).catch((e: unknown) => e)) as PoolFailure;
    expect(failure).toBeInstanceOf(PoolFailure);
    expect(failure.index).toBe(2);
    expect(started.length).toBeLessThanOrEqual(4);
    expect(failure.unfinished).toBe(8 - (started.length - 1));
  });
});

describe("choosing the engine", () => {
  it("takes the option first, then the environment; no URL means in-process", () => {
    expect(resolveRemoteEngine(undefined, {})).toBeUndefined();
    expect(resolveRemoteEngine(undefined, { TUNEGATE_ENGINE_URL: "http://h:1", TUNEGATE_ENGINE_KIND: "llama-server" })).toEqual({ url: "http://h:1", kind: "llama-server" });
    expect(resolveRemoteEngine({ url: "http://o:2", concurrency: 3 }, { TUNEGATE_ENGINE_URL: "http://h:1" })).toEqual({ url: "http://o:2", concurrency: 3 });
    expect(resolveRemoteEngine({ kind: "VLLM" }, { TUNEGATE_ENGINE_URL: "http://h:1" })).toEqual({ url: "http://h:1", kind: "vllm" });
  });

  it("refuses an unknown kind, a bad URL, settings without a URL, and a zero concurrency", () => {
    expect(() => resolveRemoteEngine(undefined, { TUNEGATE_ENGINE_URL: "http://h:1", TUNEGATE_ENGINE_KIND: "ollama" })).toThrow(/unknown engine kind "ollama" \(from TUNEGATE_ENGINE_KIND\)/);
    expect(() => resolveRemoteEngine({ url: "ftp://h" }, {})).toThrow(/http:\/\/ or https:\/\//);
    expect(() => resolveRemoteEngine({ kind: "vllm" }, {})).toThrow(/without an engine URL/);
    expect(() => resolveRemoteEngine({ url: "http://h", concurrency: 0 }, {})).toThrow(/concurrency/);
  });
});
