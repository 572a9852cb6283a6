import type { SourceLocation } from "./types.js";

/**
 * Every reason a TunegateError can have, so callers and tests can switch on `code` and a typo is a type error.
 * Grouped by where they arise: the GGUF checks before llama.cpp sees a file, the engine, the user's options.
 */
export const ERROR_CODES = [
  "GGUF_MISSING",
  "GGUF_NOT_A_FILE",
  "GGUF_BAD_MAGIC",
  "GGUF_TRUNCATED",
  "GGUF_VERSION",
  "GGUF_UNREADABLE",
  "GGUF_NO_ARCHITECTURE",
  "GGUF_ADAPTER_AS_MODEL",
  "GGUF_NOT_AN_ADAPTER",
  "GGUF_BAD_HYPERPARAMETER",
  "ADAPTER_ARCH_MISMATCH",
  "ADAPTER_BAD_TENSOR",
  "ADAPTER_EMPTY",
  "ADAPTER_INCOMPLETE_PAIR",
  "ADAPTER_NO_BASE_TENSOR",
  "ADAPTER_SHAPE_MISMATCH",
  "NO_LLAMA_BINARY",
  "MODEL_ARCH_UNSUPPORTED",
  "MODEL_LOAD_FAILED",
  "CONTEXT_FAILED",
  "PROMPT_TOO_LONG",
  "EMPTY_PROMPT",
  "LABEL_NOT_SEPARABLE",
  "EVALUATION_FAILED",
  "MODEL_OUTPUT_INVALID",
  "ENGINE_DISPOSED",
  "ENGINE_UNREACHABLE",
  "ENGINE_REQUEST_FAILED",
  "ENGINE_MISMATCH",
  "ENGINE_UNTRUSTED",
  "ENGINE_INCOMPLETE",
  "ENGINE_UNSUPPORTED",
  "BAD_ENGINE",
  "BAD_GPU_CHOICE",
  "BAD_OPTION",
  "BAD_OVERRIDE",
  "USAGE",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * An error a user can cause and fix: a bad model file, a prompt that does not fit, a missing adapter.
 * Entry points print `message` (and `hint`) without a stack trace; anything else that escapes is a bug.
 */
export class TunegateError extends Error {
  override readonly name: string = "TunegateError";
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  /** Where in a suite file the problem comes from, when it has a place there. */
  readonly location: SourceLocation | undefined;
  /** What llama.cpp itself said, when it said something relevant. */
  readonly detail: string | undefined;

  constructor(
    code: ErrorCode,
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

/** A command line that cannot be run as written (an unknown flag, a value out of range); exit status 2. */
export class UsageError extends TunegateError {
  override readonly name: string = "UsageError";

  constructor(message: string, options: { hint?: string } = {}) {
    super("USAGE", message, options);
  }
}

export function isTunegateError(error: unknown): error is TunegateError {
  return error instanceof TunegateError;
}
