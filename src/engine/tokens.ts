// Token layout of an arm, whatever tokenises it (llama.cpp in this process, or a server's /tokenize): every
// case's full prompt, the prefix they share, and each label's tokens as they follow the prompt. Labels are
// tokenised in context (prompt + separator + label, minus the prompt), because tokenisers spell a word
// differently at the start of a text than after a colon and a space. Pure: both engines share it, so both
// send the same token sequences to llama.cpp.
import { TunegateError } from "../errors.js";
import type { SourceLocation } from "../types.js";

/** A token id of the model's vocabulary. */
export type TokenId = number;

/** What a model writes between the output cue ("Category:") and the label: the examples' own separator. */
export const LABEL_SEPARATOR = " ";

/** The log-probability floor: llama.cpp's float probabilities underflow to 0 for hopeless tokens. */
export const LOG_PROBABILITY_FLOOR = -1000;

export interface PromptTokens {
  /** BOS (when the model wants one) + the prompt's tokens. */
  tokens: TokenId[];
  /** Per label, in suite order: the tokens that spell it after this prompt. */
  labelTokens: TokenId[][];
}

/** How a model's tokeniser is used: its plain tokens (no special-token parsing), with BOS in front when the model wants one. */
export function withBos(tokens: readonly TokenId[], bos: TokenId | null): TokenId[] {
  return bos !== null ? [bos, ...tokens] : [...tokens];
}

function startsWith(tokens: readonly TokenId[], prefix: readonly TokenId[]): boolean {
  if (prefix.length > tokens.length) return false;
  for (let i = 0; i < prefix.length; i++) if (tokens[i] !== prefix[i]) return false;
  return true;
}

/**
 * A case's prompt tokens and its labels' tokens in context, from the tokenisations of the prompt and of each
 * `prompt + LABEL_SEPARATOR + label`. Throws a TunegateError naming the case if a label won't separate.
 */
export function casePromptTokens(
  tokens: TokenId[],
  joinedPerLabel: readonly (readonly TokenId[])[],
  labels: readonly string[],
  where: { caseLabel: string; location: SourceLocation },
): PromptTokens {
  if (tokens.length === 0) {
    throw new TunegateError("EMPTY_PROMPT", `${where.caseLabel}: the prompt tokenises to nothing`, { location: where.location });
  }
  const labelTokens = labels.map((label, i) => {
    const joined = joinedPerLabel[i]!;
    if (!startsWith(joined, tokens) || joined.length === tokens.length) {
      throw new TunegateError(
        "LABEL_NOT_SEPARABLE",
        `${where.caseLabel}: the label "${label}" does not tokenise as separate tokens after the prompt (the tokeniser merges it with the prompt's last characters)`,
        { location: where.location, hint: "end the prompt with the output cue and a colon (e.g. `Category:`), or use scoring: generate" },
      );
    }
    return joined.slice(tokens.length);
  });
  return { tokens, labelTokens };
}

/** Length of the longest token prefix shared by every list. */
export function commonPrefixLength(lists: readonly (readonly TokenId[])[]): number {
  if (lists.length === 0) return 0;
  const first = lists[0]!;
  let length = first.length;
  for (const list of lists.slice(1)) {
    let i = 0;
    while (i < length && i < list.length && list[i] === first[i]) i++;
    length = i;
  }
  return length;
}


/** True once the text holds a complete first word: something other than whitespace, then whitespace after it. */
export function firstWordComplete(text: string): boolean {
  return /^\s*\S+\s/.test(text);
}

/** Tokens an arm's case needs in the context: its prompt and the longest label, or the generation budget. */
export function tokensNeeded(prompt: PromptTokens, generate: boolean, maxGeneratedTokens: number): number {
  const extra = generate ? maxGeneratedTokens : Math.max(...prompt.labelTokens.map((t) => t.length));
  return prompt.tokens.length + extra;
}
