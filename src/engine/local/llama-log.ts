// llama.cpp's own log, kept per engine: its last complaint is often the only reason a load or a context fails.
import type { LlamaLogLevel } from "node-llama-cpp";

const LOG_LINES_KEPT = 200;

export class LlamaLog {
  readonly #lines: string[] = [];
  /** Lines dropped off the front, so that marks stay valid once the buffer is full. */
  #dropped = 0;

  /** The logger to hand to getLlama(). */
  readonly record = (level: LlamaLogLevel, message: string): void => {
    const line = message.trim();
    if (!line) return;
    this.#lines.push(`${level}: ${line}`);
    if (this.#lines.length > LOG_LINES_KEPT) {
      const excess = this.#lines.length - LOG_LINES_KEPT;
      this.#lines.splice(0, excess);
      this.#dropped += excess;
    }
    if (process.env.TUNEGATE_LLAMA_LOG) process.stderr.write(`[llama.cpp ${level}] ${line}\n`);
  };

  /** A mark in the log, to ask later what llama.cpp said since. */
  mark(): number {
    return this.#dropped + this.#lines.length;
  }

  /** The last error or warning llama.cpp logged since `mark` (the most relevant line to show a user). */
  lastComplaint(mark = 0): string | undefined {
    const since = this.#lines.slice(Math.max(0, Math.min(mark - this.#dropped, this.#lines.length)));
    const relevant = since.filter((line) => line.startsWith("error") || line.startsWith("warn"));
    return (relevant.at(-1) ?? since.at(-1))?.replace(/^\w+: /, "");
  }
}
