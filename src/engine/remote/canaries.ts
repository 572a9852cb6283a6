// Before any case runs, proof that a server (of any kind) can be trusted to keep the arms apart and to give raw
// log-probabilities. Servers keep state that silently mixes the arms (global adapter scales, a host-memory
// prompt cache keyed by tokens only), so each check fails the run with a named reason instead of a number
// that looks fine. The probe prompt starts with a fresh nonce, so nothing any earlier request left in a cache
// can match it; its references are computed afresh (cache off, where the server lets a request say so).
import { TunegateError } from "../../errors.js";
import type { PromptTokens, TokenId } from "../tokens.js";
import type { RemoteBackend } from "./backend.js";

/**
 * Scores of one request computed twice, or cached vs afresh, differ by float reordering (up to a few 1e-3
 * nats was seen on stories260K with multi-token labels); a state computed with the other adapter moves them
 * by whole nats.
 */
export const CANARY_TOLERANCE = 2e-2;

export interface CanaryReport {
  /** log P(label | probe) on the base weights and with the adapter, computed afresh. */
  base: number;
  lora: number;
  /** Requests the canaries sent. */
  requests: number;
}

const MASK_HINT =
  "the server must give log-probabilities from the raw logits: llama-server without post-sampling probabilities, vLLM with its default --logprobs-mode raw_logprobs; a proxy in front of the server may rewrite requests";

function untrusted(message: string, hint: string): TunegateError {
  return new TunegateError("ENGINE_UNTRUSTED", `the engine failed a canary: ${message}`, { hint });
}

/**
 * `fillers`: unrelated prompts, one per slot. Sent on the base arm after the LoRA arm evaluated the probe, they
 * push the probe out of every slot (into a host-memory prompt cache, if the server keeps one), so the base
 * arm's next request for the probe is served from that cache if anything: the trap a server with `--cache-ram`
 * sets, where a state computed with the adapter is restored into a base-arm request for the same tokens.
 */
export async function runCanaries<A>(
  backend: RemoteBackend<A>,
  /** The LoRA arm's first cases: the first one the adapter changes becomes the probe. */
  references: readonly PromptTokens[],
  /** The probe for a case: its prompt behind a fresh nonce. */
  probeFor: (index: number) => Promise<PromptTokens>,
  base: A,
  lora: A,
  fillers: readonly (readonly TokenId[])[] = [],
): Promise<CanaryReport> {
  let requests = 0;
  const scoreOn = async (prompt: readonly TokenId[], arm: A, cachePrompt: boolean, forced: readonly TokenId[]): Promise<number> => {
    requests++;
    const [scored] = await backend.scoreLabels(prompt, [forced], arm, !cachePrompt);
    return scored!.logprobs.reduce((sum, p) => sum + p, 0);
  };
  /** The label the adapter moves most on this prompt, evaluated afresh on both arms. */
  const widestGap = async (prompt: PromptTokens) => {
    let best = { gap: -1, label: prompt.labelTokens[0]!, base: 0, lora: 0 };
    for (const forced of prompt.labelTokens) {
      const pair = { base: await scoreOn(prompt.tokens, base, false, forced), lora: await scoreOn(prompt.tokens, lora, false, forced) };
      const gap = Math.abs(pair.lora - pair.base);
      if (gap > best.gap) best = { gap, label: forced, ...pair };
    }
    return best;
  };
  // Does the adapter change anything? The first case whose label scores it moves (an adapter may leave
  // prompts without its trigger words alone).
  const changed = await (async () => {
    for (const [index, prompt] of references.entries()) if ((await widestGap(prompt)).gap > 1e-4) return index;
    return undefined;
  })();
  const shown = (n: number) => n.toFixed(4);
  if (changed === undefined) {
    throw untrusted(
      `the LoRA arm scores every label as the base model does on the first ${references.length} cases: the server applies no adapter to the LoRA arm's requests`,
      "check that the server loaded the suite's adapter and that lora.scale is not 0",
    );
  }
  // That case behind a fresh nonce: nothing an earlier request left in any cache can match it.
  const probe = await probeFor(changed);
  const { label, base: freshBase, lora: freshLora } = await widestGap(probe);
  const fresh = { base: freshBase, lora: freshLora };
  const score = (arm: A, cachePrompt: boolean, forced: readonly TokenId[] = label) => scoreOn(probe.tokens, arm, cachePrompt, forced);
  // The arms in turn on the same tokens, with the prompt cache on: each must score as afresh.
  const sequence: { arm: "base" | "lora"; target: A }[] = [
    { arm: "base", target: base },
    { arm: "lora", target: lora },
    { arm: "base", target: base },
    { arm: "lora", target: lora },
    { arm: "base", target: base },
  ];
  let previous: { arm: string; score: number } | undefined;
  for (const step of sequence) {
    if (previous?.arm === "lora" && step.arm === "base") {
      for (const filler of fillers) {
        requests++;
        await backend.scoreLabels(filler, [[filler.at(-1)!]], base);
      }
    }
    const got = await score(step.target, true);
    const want = fresh[step.arm];
    if (Math.abs(got - want) > CANARY_TOLERANCE) {
      const after = previous ? ` after the ${previous.arm === "base" ? "base" : "LoRA"} arm evaluated the same tokens` : "";
      throw untrusted(
        `the ${step.arm === "base" ? "few-shot (base)" : "LoRA"} arm scored ${shown(got)}${after}, ${shown(want)} when evaluated afresh: the server reused a cached state computed with another adapter`,
        backend.hints.cache,
      );
    }
    previous = { arm: step.arm, score: got };
  }
  // The same request twice in a row (the second served from the slot's cache): equal scores.
  const again = await score(base, true);
  if (Math.abs(again - previous!.score) > CANARY_TOLERANCE) {
    throw untrusted(`the same request twice scored ${shown(previous!.score)} and ${shown(again)}`, "the server is not deterministic: check its sampling settings and version");
  }
  // A token that is not the most likely one has probability ≤ 0.5; forced by a mask (grammar, allowed ids), a
  // distribution taken after the mask would give it probability 1 (log-prob 0).
  if (backend.topToken) {
    requests++;
    const top = await backend.topToken(probe.tokens, base);
    const unlikely = [label[0]!, ...[...probe.tokens].reverse()].find((t) => t !== top.token);
    if (unlikely !== undefined) {
      const forced = await score(base, true, [unlikely]);
      if (!(forced < Math.log(0.5) && forced <= top.logprob)) {
        throw untrusted(
          `a forced token that is not the most likely one scored ${shown(forced)} (the most likely: ${shown(top.logprob)}): the log-probabilities are taken after the mask that forces the token`,
          MASK_HINT,
        );
      }
    }
  } else if (probe.labelTokens.length > 1) {
    // No token ids to force (a server without a tokenizer): of two or more labels, at most one can have a
    // probability above 0.5, so the least likely must score below log(0.5) unless the scores are masked.
    let least = 0;
    for (const forced of probe.labelTokens) least = Math.min(least, await score(base, true, forced));
    if (!(least < Math.log(0.5))) {
      throw untrusted(`every label scored ${shown(least)} or more on the probe, which no distribution allows: the log-probabilities are not the model's`, MASK_HINT);
    }
  }
  return { ...fresh, requests };
}
