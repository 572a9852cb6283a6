// Reading a label out of generated text: the first word, lower-cased, without punctuation, so a model that
// goes on after the label ("complaint. The customer…") still counts as having answered it.
import { INVALID_PREDICTION } from "../types.js";

const EDGE_PUNCTUATION = /^[\p{P}\p{S}]+|[\p{P}\p{S}]+$/gu;

/**
 * The label a generation names, or INVALID_PREDICTION. Single-word labels compare with the first word;
 * labels with spaces compare with the start of the output. Matching ignores case; the suite's own
 * spelling of the label is returned. An output that is no label stays invalid: never mapped to the nearest.
 */
export function parseGeneratedLabel(text: string, labels: readonly string[]): string {
  const output = text.trim().toLowerCase();
  const firstWord = (output.split(/\s+/)[0] ?? "").replace(EDGE_PUNCTUATION, "");
  let best: string | undefined;
  for (const label of labels) {
    const wanted = label.toLowerCase();
    const matches = /\s/.test(wanted)
      ? output.startsWith(wanted) && !/[\p{L}\p{N}]/u.test(output.charAt(wanted.length))
      : firstWord === wanted;
    if (matches && (best === undefined || label.length > best.length)) best = label;
  }
  return best ?? INVALID_PREDICTION;
}
