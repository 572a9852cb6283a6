// Before any case runs, proof that a llama-server can be trusted to keep the arms apart and to give raw
// log-probabilities. Servers keep state that silently mixes the arms (global adapter scales, a host-memory
// prompt cache keyed by tokens only), so each check fails the run with a named reason instead of a number
// that looks fine. The probe prompt starts with a fresh nonce, so nothing any earlier request left in a cache
// can match it; its references are computed with cache_prompt off (evaluated afresh).
import { TunegateError } from "../../errors.js";
import type { PromptTokens, TokenId } from "../tokens.js";
import type { AdapterScales, LlamaServerClient } from "./llama-server.js";

/** Scores of one request computed twice, or cached vs afresh, may differ by float reordering, never by more. */
export const CANARY_TOLERANCE = 1e-3;

export interface CanaryReport {
  /** log P(label | probe) on the base weights and with the adapter, computed afresh. */
  base: number;
  lora: number;
  /** Requests the canaries sent. */
  requests: number;
}

function untrusted(message: string, hint: string): TunegateError {
  return new TunegateError("ENGINE_UNTRUSTED", `the engine failed a canary: ${message}`, { hint });
}

const CACHE_HINT =
  "start llama-server with --cache-ram 0 (its host-memory prompt cache restores a state computed with another adapter for the same tokens), and with --lora-init-without-apply";

/**
 * `fillers`: unrelated prompts, one per slot. Sent on the base arm after the LoRA arm evaluated the probe, they
 * push the probe out of every slot (into a host-memory prompt cache, if the server keeps one), so the base
 * arm's next request for the probe is served from that cache if anything: the trap a server with `--cache-ram`
 * sets, where a state computed with the adapter is restored into a base-arm request for the same tokens.
 */
export async function runCanaries(
  client: LlamaServerClient,
  probe: PromptTokens,
  base: AdapterScales,
  lora: AdapterScales,
  fillers: readonly (readonly TokenId[])[] = [],
): Promise<CanaryReport> {
  const label = probe.labelTokens[0]!;
  let requests = 0;
  const score = async (adapters: AdapterScales, cachePrompt: boolean, forced: readonly TokenId[] = label): Promise<number> => {
    requests++;
    const { logprobs } = await client.scoreLabel({ prompt: probe.tokens, label: forced, adapters, cachePrompt });
    return logprobs.reduce((sum, p) => sum + p, 0);
  };
  const fresh = { base: await score(base, false), lora: await score(lora, false) };
  const shown = (n: number) => n.toFixed(4);
  if (Math.abs(fresh.lora - fresh.base) <= CANARY_TOLERANCE / 10) {
    throw untrusted(
      `the LoRA arm scores as the base model on a probe prompt (${shown(fresh.lora)} both): the server applies no adapter to the LoRA arm's requests`,
      "check that the server loaded the suite's adapter (--lora FILE) and that lora.scale is not 0",
    );
  }
  // The arms in turn on the same tokens, with the prompt cache on: each must score as afresh.
  const sequence: { arm: "base" | "lora"; adapters: AdapterScales }[] = [
    { arm: "base", adapters: base },
    { arm: "lora", adapters: lora },
    { arm: "base", adapters: base },
    { arm: "lora", adapters: lora },
    { arm: "base", adapters: base },
  ];
  let previous: { arm: string; score: number } | undefined;
  for (const step of sequence) {
    if (previous?.arm === "lora" && step.arm === "base") {
      for (const filler of fillers) {
        requests++;
        await client.scoreLabel({ prompt: filler, label: [filler.at(-1)!], adapters: base });
      }
    }
    const got = await score(step.adapters, true);
    const want = fresh[step.arm];
    if (Math.abs(got - want) > CANARY_TOLERANCE) {
      const after = previous ? ` after the ${previous.arm === "base" ? "base" : "LoRA"} arm evaluated the same tokens` : "";
      throw untrusted(
        `the ${step.arm === "base" ? "few-shot (base)" : "LoRA"} arm scored ${shown(got)}${after}, ${shown(want)} when evaluated afresh: the server reused a cached state computed with another adapter`,
        CACHE_HINT,
      );
    }
    previous = { arm: step.arm, score: got };
  }
  // The same request twice in a row (the second served from the slot's cache): equal scores.
  const again = await score(base, true);
  if (Math.abs(again - previous!.score) > CANARY_TOLERANCE) {
    throw untrusted(`the same request twice scored ${shown(previous!.score)} and ${shown(again)}`, "the server is not deterministic: check its sampling settings and version");
  }
  // A token that is not the most likely one has probability ≤ 0.5; forced by the grammar, a masked
  // distribution would give it probability 1 (log-prob 0).
  requests++;
  const top = await client.topToken(probe.tokens, base);
  const unlikely = [label[0]!, ...[...probe.tokens].reverse()].find((t) => t !== top.token);
  if (unlikely !== undefined) {
    const forced = await score(base, true, [unlikely]);
    if (!(forced < Math.log(0.5) && forced <= top.logprob)) {
      throw untrusted(
        `a forced token that is not the most likely one scored ${shown(forced)} (the most likely: ${shown(top.logprob)}): the log-probabilities are taken after the grammar's mask`,
        "run llama-server without post-sampling probabilities (tunegate sends post_sampling_probs off); a proxy in front of the server may rewrite requests",
      );
    }
  }
  return { ...fresh, requests };
}
