// The fewest tokens any evaluator must run through the model for an arm: every distinct token prefix of every
// sequence whose cache or next-token output is needed (each case's prompt, and the prompt followed by the
// label tokens scored or the generated tokens fed back), counted once. One sequence reusing its KV cache in
// case order evaluates at least that many, whatever the order and however much consecutive cases share
// beyond the prefix all of them share, so the report's "tokens evaluated" can never fall below it.
/** A sequence of tokens as a prompt followed by tokens after it, without concatenating them. */
export interface TokenPath {
  /** Token ids (node-llama-cpp's Token is a branded number). */
  prompt: readonly number[];
  /** Tokens evaluated after the prompt: a label's (but its last), or generated tokens fed back. */
  after: readonly number[];
}

function tokenAt(path: TokenPath, index: number): number {
  return index < path.prompt.length ? path.prompt[index]! : path.after[index - path.prompt.length]!;
}

function lengthOf(path: TokenPath): number {
  return path.prompt.length + path.after.length;
}

/** Length of the common prefix of two paths, comparing from `from` (which both are known to share). */
function commonLength(a: TokenPath, b: TokenPath, from: number): number {
  const limit = Math.min(lengthOf(a), lengthOf(b));
  let i = from;
  while (i < limit && tokenAt(a, i) === tokenAt(b, i)) i++;
  return i;
}

/**
 * The number of distinct non-empty prefixes of `paths` (the nodes of their trie). Every path must start with the
 * same `shared` tokens; they are counted once and skipped when comparing, which keeps a long few-shot block
 * from making the sort slow. Sorted in token order, each path adds its length less what it shares with the one
 * before it.
 */
export function distinctPrefixCount(paths: readonly TokenPath[], shared = 0): number {
  if (paths.length === 0) return 0;
  const sorted = [...paths].sort((a, b) => {
    const common = commonLength(a, b, shared);
    const la = lengthOf(a);
    const lb = lengthOf(b);
    if (common === la || common === lb) return la - lb;
    return tokenAt(a, common) - tokenAt(b, common);
  });
  let count = lengthOf(sorted[0]!);
  for (let i = 1; i < sorted.length; i++) count += lengthOf(sorted[i]!) - commonLength(sorted[i - 1]!, sorted[i]!, shared);
  return count;
}
