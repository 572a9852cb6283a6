// GitHub's runner reads every line a step prints, on stdout and stderr, and executes it as a workflow command
// when, after leading whitespace, it starts with `::` (`::set-output`, `::add-mask::`, `::stop-commands::`),
// or when it contains the older `##[command]` form anywhere. A suite's name, labels, case text or file name
// printed as they are could therefore set an output, mask the log or forge an annotation. These helpers make
// text inert for the runner and leave it readable for people: a zero-width space goes before a line's first
// `:` and inside every `##[`. The runner splits lines at CR as well as LF, and trims what .NET counts as
// whitespace, which includes U+0085 and U+180E beside JavaScript's \s.

const ZERO_WIDTH_SPACE = "\u200b";

function isLeadingSpace(c: string): boolean {
  return c !== "\r" && c !== "\n" && (/\s/.test(c) || c === "\u0085" || c === "\u180e");
}

/**
 * Neutralises text written to one stream in pieces: the state (whether the current line has shown only
 * whitespace so far, and how many `#` ended the last piece) carries over, so `::` or `##[` split across two
 * writes is caught too.
 */
export class CommandNeutraliser {
  private lineStart = true;
  private hashes = 0;
  /** Inside a colour code at the start of a line: 1 after ESC, 2 inside `ESC [ ... final`. */
  private escape: 0 | 1 | 2 = 0;

  /**
   * `own`: tunegate's own workflow command, written on purpose; its leading `::` stays, and only a `##[` that
   * a value inside it might carry is broken up.
   */
  filter(text: string, own = false): string {
    let out = "";
    for (const c of text) {
      if (c === "\r" || c === "\n") {
        this.lineStart = true;
        this.hashes = 0;
        this.escape = 0;
        out += c;
        continue;
      }
      if (this.lineStart && isLeadingSpace(c)) {
        out += c;
        continue;
      }
      // Colour codes before a line's text (Vitest colours its output on CI) are looked through, in case a log
      // reader strips them before it looks for `::`.
      if (this.lineStart && (this.escape !== 0 || c === "\u001b")) {
        const code = c.charCodeAt(0);
        this.escape = c === "\u001b" ? 1 : this.escape === 1 && c === "[" ? 2 : this.escape === 2 && (code < 0x40 || code > 0x7e) ? 2 : 0;
        out += c;
        continue;
      }
      // Any `:` first on a line, not only `::`: the second colon may come in the next write.
      if (this.lineStart && c === ":" && !own) out += ZERO_WIDTH_SPACE;
      if (c === "[" && this.hashes >= 2) out += ZERO_WIDTH_SPACE;
      this.hashes = c === "#" ? this.hashes + 1 : 0;
      this.lineStart = false;
      out += c;
    }
    return out;
  }
}

/** `text` with nothing in it that the runner would execute, for a value printed on its own. */
export function neutraliseCommands(text: string): string {
  return new CommandNeutraliser().filter(text);
}
