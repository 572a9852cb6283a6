import type { SourceLocation } from "./types.js";

/**
 * An error a user can cause and fix: a bad model file, a prompt that does not fit, a missing adapter.
 * Entry points print `message` (and `hint`) without a stack trace; anything else that escapes is a bug.
 */
export class TunegateError extends Error {
  override readonly name = "TunegateError";
  readonly code: string;
  readonly hint: string | undefined;
  /** Where in a suite file the problem comes from, when it has a place there. */
  readonly location: SourceLocation | undefined;
  /** What llama.cpp itself said, when it said something relevant. */
  readonly detail: string | undefined;

  constructor(
    code: string,
    message: string,
    options: { hint?: string; location?: SourceLocation; detail?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
    this.location = options.location;
    this.detail = options.detail;
  }

  /** The whole text a user should see: what, where, how to fix, and llama.cpp's own words. */
  describe(): string {
    const where = this.location ? `${this.location.file}:${this.location.line}:${this.location.column}: ` : "";
    const lines = [`${where}${this.message}`];
    if (this.detail) lines.push(`  llama.cpp said: ${this.detail}`);
    if (this.hint) lines.push(`  hint: ${this.hint}`);
    return lines.join("\n");
  }
}

export function isTunegateError(error: unknown): error is TunegateError {
  return error instanceof TunegateError;
}
