// On a GitHub runner, everything this process prints passes through a CommandNeutraliser (see
// text/workflow-commands.ts) at the stream itself, so output tunegate does not format (Vitest's reporter with
// module paths, test names and failure headers, llama.cpp's log) cannot become a workflow command either.
// tunegate's own commands (annotations, outputs, groups, the stop-commands bracket) go out through `own`.
import { randomBytes } from "node:crypto";
import { StringDecoder } from "node:string_decoder";
import { CommandNeutraliser } from "../text/workflow-commands.js";

let installed = false;
let ownDepth = 0;

type Write = NodeJS.WriteStream["write"];

function guardStream(stream: NodeJS.WriteStream): void {
  const original = stream.write.bind(stream) as (chunk: string, encoding: BufferEncoding, callback?: (error?: Error | null) => void) => boolean;
  const neutraliser = new CommandNeutraliser();
  const decoder = new StringDecoder("utf8");
  const write = (chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
    const done = (typeof encoding === "function" ? encoding : callback) as ((error?: Error | null) => void) | undefined;
    const text =
      typeof chunk === "string"
        ? typeof encoding === "string" && !/^utf-?8$/i.test(encoding)
          ? Buffer.from(chunk, encoding as BufferEncoding).toString("utf8")
          : chunk
        : decoder.write(Buffer.from(chunk as Uint8Array));
    return original(neutraliser.filter(text, ownDepth > 0), "utf8", done);
  };
  stream.write = write as Write;
}

/** Guards this process's stdout and stderr; calling it again does nothing. */
export function guardProcessOutput(): void {
  if (installed) return;
  installed = true;
  guardStream(process.stdout);
  guardStream(process.stderr);
}

/** Whether this process's output is guarded, i.e. it prints no workflow command but tunegate's own. */
export function outputGuarded(): boolean {
  return installed;
}

/** Runs `write`, whose output is tunegate's own workflow commands, past the guard. */
export function own<T>(write: () => T): T {
  ownDepth += 1;
  try {
    return write();
  } finally {
    ownDepth -= 1;
  }
}

/** Where a supervising process passes the stop-commands token to the process it runs. */
export const STOP_TOKEN_VARIABLE = "TUNEGATE_STOP_TOKEN";

/** Random, so no suite can know it and end the bracket. */
export function newStopToken(): string {
  return `tunegate-${randomBytes(16).toString("hex")}`;
}

/** Ends a stop-commands bracket that another process opened with `token` (a no-op when none is open). */
export function resumeCommands(token: string): void {
  own(() => process.stdout.write(`::${token}::\n`));
}

/**
 * Stops the runner from executing any workflow command until the returned function runs: the bracket around
 * the part of a step that prints user text. The token is random, so no suite can know it and end the bracket.
 */
export function stopCommands(): () => void {
  // A supervising process that may have to resume after this one dies hands its token down (see the Action).
  const token = process.env[STOP_TOKEN_VARIABLE] || newStopToken();
  own(() => process.stdout.write(`::stop-commands::${token}\n`));
  let resumed = false;
  return () => {
    if (resumed) return;
    resumed = true;
    resumeCommands(token);
  };
}
