// The prompts both arms send, rendered from the suite. The few-shot prompt without a template is, exactly:
//
//   You are {role}. You {task}.
//   Format: {format}
//   Examples:
//   ---
//   {input_prefix}: {example input}
//   {output_prefix}: {example output}
//   ---
//   ...
//   ---
//   {input_prefix}: {case input}
//   {output_prefix}:
//
// with nothing after the final colon: the model's next token is the answer.
import type { FewShotArm, LoraArm } from "./types.js";

export const INPUT_PLACEHOLDER = "{input}";
export const EXAMPLES_PLACEHOLDER = "{examples}";

/** A rendered prompt cut in two: `prefix` is the same for every case of the arm, `suffix` is the case's own. */
export interface PromptParts {
  prefix: string;
  suffix: string;
}

/** The examples as `---`-separated blocks, starting and ending with `---` (what `{examples}` becomes). */
export function renderExamples(fewShot: Pick<FewShotArm, "examples" | "inputPrefix" | "outputPrefix">): string {
  const blocks = fewShot.examples.map((e) => `${fewShot.inputPrefix}: ${e.input}\n${fewShot.outputPrefix}: ${e.output}`);
  return ["---", ...blocks.flatMap((block) => [block, "---"])].join("\n");
}

export function renderFewShotPrompt(fewShot: FewShotArm, input: string): string {
  const { prefix, suffix } = fewShotPromptParts(fewShot, input);
  return prefix + suffix;
}

export function renderLoraPrompt(lora: LoraArm, input: string): string {
  const { prefix, suffix } = loraPromptParts(lora, input);
  return prefix + suffix;
}

/**
 * Splits an arm's prompt for KV-cache reuse: `prefix + suffix` is the full prompt, and `prefix` does not depend
 * on `input`. The cut is just before the case input, except that spaces or tabs right before it go to the
 * suffix: tokenizers attach a leading space to the following word (` The`), so a prefix that ends in a space
 * would tokenize differently on its own than inside the whole prompt.
 */
export function renderPromptParts(arm: FewShotArm | LoraArm, input: string): PromptParts {
  return "adapter" in arm ? loraPromptParts(arm, input) : fewShotPromptParts(arm, input);
}

/** The part of an arm's prompt shared by all cases (the `prefix` of `renderPromptParts`). */
export function sharedPromptPrefix(arm: FewShotArm | LoraArm): string {
  return renderPromptParts(arm, "").prefix;
}

export function fewShotPromptParts(fewShot: FewShotArm, input: string): PromptParts {
  if (fewShot.template !== undefined) {
    const examples = renderExamples(fewShot);
    return templateParts(fewShot.template, input, (name) => (name === "examples" ? examples : undefined));
  }
  const header = `You are ${fewShot.role}. You ${fewShot.task}.\nFormat: ${fewShot.format}\nExamples:\n${renderExamples(fewShot)}\n`;
  return moveTrailingBlanks(`${header}${fewShot.inputPrefix}: `, `${input}\n${fewShot.outputPrefix}:`);
}

export function loraPromptParts(lora: LoraArm, input: string): PromptParts {
  return templateParts(lora.template, input, () => undefined);
}

/**
 * Substitutes `{input}` and the arm's other placeholders in one pass over the template, so text from an
 * example or a case is never itself scanned for placeholders. Unknown `{...}` are left as written.
 */
function templateParts(template: string, input: string, placeholder: (name: string) => string | undefined): PromptParts {
  const cut = template.indexOf(INPUT_PLACEHOLDER);
  const fill = (text: string) =>
    text.replace(/\{(examples|input)\}/g, (whole, name: string) => (name === "input" ? input : (placeholder(name) ?? whole)));
  if (cut === -1) return { prefix: fill(template), suffix: "" };
  const before = fill(template.slice(0, cut));
  const after = fill(template.slice(cut + INPUT_PLACEHOLDER.length));
  return moveTrailingBlanks(before, input + after);
}

function moveTrailingBlanks(prefix: string, suffix: string): PromptParts {
  const blanks = /[ \t]*$/.exec(prefix)![0];
  return blanks === "" ? { prefix, suffix } : { prefix: prefix.slice(0, prefix.length - blanks.length), suffix: blanks + suffix };
}
