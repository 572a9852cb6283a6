// What an entry point (a CLI command, the Action) may touch of the outside world, passed in so tests can run
// them in-process; and the exit codes they all share.
import type { Environment } from "../suite/env.js";

export interface CliIO {
  /** Writes one line (a newline is added). */
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  cwd: string;
  env: Environment;
}

export function processIO(): CliIO {
  return {
    stdout: (line) => void process.stdout.write(`${line}\n`),
    stderr: (line) => void process.stderr.write(`${line}\n`),
    cwd: process.cwd(),
    env: process.env,
  };
}

/** Exit codes shared by all commands. */
export const EXIT_OK = 0;
/** tunegate itself failed (a bug or an environment problem), not the user's input. */
export const EXIT_INTERNAL = 1;
/**
 * The gate failed (or a `must` case missed, a missed case under `misses: fail`, or the Action found a baseline
 * regression). Same number as EXIT_INTERNAL: CI needs only pass or fail.
 */
export const EXIT_GATE_FAILED = 1;
/** Invalid input: a bad suite, bad arguments, no files. */
export const EXIT_INVALID = 2;

/** Signature of every command module's entry point. */
export type CommandRun = (args: string[], io: CliIO) => Promise<number>;
