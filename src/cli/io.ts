// What a CLI command may touch of the outside world, passed in so tests can run commands in-process.
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
/** The gate failed (or a `must` case was missed, or the Action found a baseline regression). */
export const EXIT_GATE_FAILED = 1;
/** tunegate itself failed (a bug or an environment problem), not the user's input. */
export const EXIT_INTERNAL = 1;
/** Invalid input: a bad suite, bad arguments, no files. */
export const EXIT_INVALID = 2;

/** Signature of every command module's entry point. */
export type CommandRun = (args: string[], io: CliIO) => Promise<number>;
