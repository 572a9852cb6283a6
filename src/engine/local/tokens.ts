// Token layout of an arm: every case's full prompt, the prefix they share, and each label's tokens as they
// follow the prompt. Labels are tokenised in context (prompt + separator + label, minus the prompt), because
// tokenisers spell a word differently at the start of a text than after a colon and a space.
import type { LlamaModel, Token } from "node-llama-cpp";
import { TunegateError } from "../../errors.js";
import type { SourceLocation } from "../../types.js";

/** What a model writes between the output cue ("Category:") and the label: the examples' own separator. */
export const LABEL_SEPARATOR = " ";

export interface PromptTokens {
  /** BOS (when the model wants one) + the prompt's tokens. */
  tokens: Token[];
  /** Per label, in suite order: the tokens that spell it after this prompt. */
  labelTokens: Token[][];
}

export function tokenizePrompt(model: LlamaModel, prompt: string): Token[] {
  const tokens = model.tokenize(prompt, false);
  const bos = model.tokens.bos;
  return model.tokens.shouldPrependBosToken && bos !== null ? [bos, ...tokens] : tokens;
}

function startsWith(tokens: readonly Token[], prefix: readonly Token[]): boolean {
  if (prefix.length > tokens.length) return false;
  for (let i = 0; i < prefix.length; i++) if (tokens[i] !== prefix[i]) return false;
  return true;
}

/** Tokenises a case's prompt and its labels; throws a TunegateError naming the case if a label won't separate. */
export function tokenizeCasePrompt(
  model: LlamaModel,
  prompt: string,
  labels: readonly string[],
  where: { caseLabel: string; location: SourceLocation },
): PromptTokens {
  const tokens = tokenizePrompt(model, prompt);
  if (tokens.length === 0) {
    throw new TunegateError("EMPTY_PROMPT", `${where.caseLabel}: the prompt tokenises to nothing`, { location: where.location });
  }
  const labelTokens = labels.map((label) => {
    const joined = tokenizePrompt(model, prompt + LABEL_SEPARATOR + label);
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
export function commonPrefixLength(lists: readonly (readonly Token[])[]): number {
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
