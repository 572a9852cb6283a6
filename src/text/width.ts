// Measuring and fitting text for fixed-width terminals: a column is counted in terminal cells, so wide
// (CJK, emoji) characters take two and combining marks none.

import { stripVTControlCharacters } from "node:util";

const segmenter = new Intl.Segmenter("en", { granularity: "grapheme" });
/** Code units segmented at once: Intl.Segmenter's time grows with the square of a string's length. */
const SEGMENT_CHUNK = 512;

/**
 * The grapheme clusters of `text`, in linear time: each chunk is segmented on its own, and its last cluster,
 * which may go on past the chunk, is segmented again at the start of the next. A cluster boundary found in a
 * chunk is a true boundary, so restarting there gives the clusters of the whole text.
 */
export function* graphemesOf(text: string): Generator<string> {
  if (text.length <= SEGMENT_CHUNK) {
    for (const { segment } of segmenter.segment(text)) yield segment;
    return;
  }
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + SEGMENT_CHUNK);
    // Never between the halves of a surrogate pair: a lone half would look like a cluster of its own.
    if (end < text.length && /[\uD800-\uDBFF]/.test(text[end - 1]!)) end -= 1;
    const clusters = Array.from(segmenter.segment(text.slice(start, end)), ({ segment }) => segment);
    // At the text's end every cluster is whole; a single cluster filling a whole chunk is taken as it is.
    const whole = end === text.length || clusters.length === 1 ? clusters : clusters.slice(0, -1);
    for (const cluster of whole) {
      yield cluster;
      start += cluster.length;
    }
  }
}
const WIDE = /[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]|[\u{1F300}-\u{1F64F}\u{1F900}-\u{1F9FF}\u{20000}-\u{3FFFD}]/u;
const ZERO_WIDTH = /^(?:\p{Mn}|\p{Me}|\p{Cf})+$/u;
const EMOJI_PRESENTATION = /\p{Extended_Pictographic}\uFE0F|\p{Emoji_Presentation}/u;

function graphemeWidth(grapheme: string): number {
  if (ZERO_WIDTH.test(grapheme)) return 0;
  if (WIDE.test(grapheme) || EMOJI_PRESENTATION.test(grapheme)) return 2;
  return 1;
}

// Printable ASCII is one cell per character: the common case, and far cheaper than segmenting.
const PLAIN_ASCII = /^[\x20-\x7e]*$/;

/** Terminal cells a string occupies (ANSI colour codes count as none). */
export function displayWidth(text: string): number {
  const visible = text.includes("\u001b") ? stripVTControlCharacters(text) : text;
  if (PLAIN_ASCII.test(visible)) return visible.length;
  let width = 0;
  for (const grapheme of graphemesOf(visible)) width += graphemeWidth(grapheme);
  return width;
}

/** Control characters and runs of whitespace become single spaces, so one value stays on one line. */
export function singleLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\s\u0000-\u001f\u007f-\u009f]+/g, " ").trim();
}

/** Fits text into `width` cells, ending with "…" when something was cut. Expects text without ANSI codes. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return "";
  if (displayWidth(text) <= width) return text;
  if (PLAIN_ASCII.test(text)) return `${text.slice(0, width - 1)}…`;
  let out = "";
  let used = 0;
  for (const segment of graphemesOf(text)) {
    const cells = graphemeWidth(segment);
    if (used + cells > width - 1) break;
    out += segment;
    used += cells;
  }
  return `${out}…`;
}

export function padEnd(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - displayWidth(text)));
}

export function padStart(text: string, width: number): string {
  return " ".repeat(Math.max(0, width - displayWidth(text))) + text;
}

/**
 * Word-wraps plain text to `width` cells; continuation lines start with `indent` (counted in the width).
 * Words longer than a line are cut.
 */
export function wrap(text: string, width: number, firstPrefix = "", indent = ""): string[] {
  const lines: string[] = [];
  let line = firstPrefix;
  let lineHasWord = false;
  const limit = Math.max(1, width);
  for (const word of singleLine(text).split(" ")) {
    if (word === "") continue;
    const candidate = lineHasWord ? `${line} ${word}` : `${line}${word}`;
    if (displayWidth(candidate) <= limit) {
      line = candidate;
      lineHasWord = true;
      continue;
    }
    if (lineHasWord) {
      lines.push(line);
      line = indent;
    }
    const tail = displayWidth(line + word) > limit ? cutIntoLines(word, line, indent, limit, lines) : { line, rest: word };
    line = tail.line + tail.rest;
    lineHasWord = tail.rest !== "";
  }
  if (lineHasWord || lines.length === 0) lines.push(line);
  return lines.map((l) => truncate(l, limit));
}

/**
 * Cuts a word wider than a line into line-sized pieces, pushing each full line onto `lines`, and returns the
 * line the last piece starts. One pass over the word's graphemes: a megabyte-long word costs a megabyte of
 * work, not a megabyte per line. A grapheme wider than the room left stays, uncut, for the final truncate.
 */
function cutIntoLines(word: string, line: string, indent: string, limit: number, lines: string[]): { line: string; rest: string } {
  const graphemes = Array.from(graphemesOf(word));
  const widths = graphemes.map(graphemeWidth);
  let remaining = widths.reduce((sum, cells) => sum + cells, 0);
  let lineWidth = displayWidth(line);
  let start = 0;
  while (start < graphemes.length && lineWidth + remaining > limit) {
    const room = Math.max(1, limit - lineWidth);
    let end = start;
    let pieceWidth = 0;
    while (end < graphemes.length && pieceWidth + widths[end]! <= room) pieceWidth += widths[end++]!;
    if (end === start) break;
    lines.push(line + graphemes.slice(start, end).join(""));
    line = indent;
    lineWidth = displayWidth(indent);
    remaining -= pieceWidth;
    start = end;
  }
  return { line, rest: graphemes.slice(start).join("") };
}
