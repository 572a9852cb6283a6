// Tokenising with the model loaded in this process; the layout logic (labels in context, shared prefix) is
// the engines' shared ../tokens.ts.
import type { LlamaModel, Token } from "node-llama-cpp";
import type { SourceLocation } from "../../types.js";
import { casePromptTokens, LABEL_SEPARATOR, withBos } from "../tokens.js";

export { commonPrefixLength, LABEL_SEPARATOR } from "../tokens.js";

/** The shared layout (../tokens.ts) with node-llama-cpp's token type, which this model produced. */
export interface PromptTokens {
  tokens: Token[];
  labelTokens: Token[][];
}

export function tokenizePrompt(model: LlamaModel, prompt: string): Token[] {
  const bos = model.tokens.bos;
  return withBos(model.tokenize(prompt, false), model.tokens.shouldPrependBosToken && bos !== null ? bos : null) as Token[];
}

/** Tokenises a case's prompt and its labels; throws a TunegateError naming the case if a label won't separate. */
export function tokenizeCasePrompt(
  model: LlamaModel,
  prompt: string,
  labels: readonly string[],
  where: { caseLabel: string; location: SourceLocation },
): PromptTokens {
  const tokens = tokenizePrompt(model, prompt);
  return casePromptTokens(tokens, labels.map((label) => tokenizePrompt(model, prompt + LABEL_SEPARATOR + label)), labels, where) as PromptTokens;
}
