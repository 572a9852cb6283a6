// The few-shot block every case shares, evaluated once for all the sequences of a context: the first sequence
// evaluates it, and its KV state is copied to the others through node-llama-cpp's sequence state file (the
// public API has no in-memory sequence copy). Copying costs milliseconds where evaluating the prefix again
// costs a prompt's worth of compute per sequence, and no token is evaluated twice.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LlamaContextSequence, Token } from "node-llama-cpp";

/** Brings every sequence to exactly `prefix` (each must be empty or hold a longer run of the same prefix). */
export async function sharePrefix(sequences: readonly LlamaContextSequence[], prefix: readonly Token[]): Promise<void> {
  if (prefix.length === 0 || sequences.length === 0) return;
  const [first, ...others] = sequences as [LlamaContextSequence, ...LlamaContextSequence[]];
  await first.controlledEvaluate([...prefix]);
  if (others.length === 0) return;
  // A directory of our own (mode 0700 from mkdtemp): the state file is this process's, read back at once.
  const directory = await mkdtemp(join(tmpdir(), "tunegate-prefix-"));
  try {
    const file = join(directory, "prefix.state");
    await first.saveStateToFile(file);
    // The file comes from this very context's model a moment ago, which is the risk node-llama-cpp asks to accept.
    for (const sequence of others) await sequence.loadStateFromFile(file, { acceptRisk: true });
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
