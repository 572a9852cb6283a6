// Reading a user's text file (suite or cases file) defensively: refuse it by size before reading, and turn
// binary content, a wrong encoding or control characters into one clear error at line:col instead of letting
// a parser report nonsense about it.
import { readFile, stat } from "node:fs/promises";
import { failed, ok, type Result, type SourceLocation } from "../types.js";
import { error, startOf, type Diagnostic } from "./diagnostics.js";
import { specialFileKind } from "./file-kind.js";
import { CASES_FILE_MAX_BYTES, formatBytes, formatLimit } from "./limits.js";

export interface TextFileOptions {
  maxBytes: number;
  /** What the file is, for messages: "suite file", "cases file". */
  kind: string;
  /** Where the file was named (the `cases_file` key); missing-file errors point there rather than at the file. */
  referencedAt?: SourceLocation;
  /** Extra words for the not-found message, e.g. how the path was resolved. */
  notFoundHint?: string;
  /** How messages name the file; default its path (see shownPath: a path built from env values is not shown). */
  shownAs?: string;
}

export async function readTextFile(file: string, options: TextFileOptions): Promise<Result<string, Diagnostic>> {
  const where = options.referencedAt ?? startOf(file);
  const shown = options.shownAs ?? file;
  let size: number;
  try {
    const info = await stat(file);
    if (info.isDirectory()) {
      return failed([error("file-unreadable", where, `the ${options.kind} ${shown} is a directory, not a file`, "give the path of a file")]);
    }
    const special = specialFileKind(info);
    if (special !== undefined) return failed([error("file-unreadable", where, `the ${options.kind} ${shown} is ${special}, not a file`, "give the path of a regular file")]);
    size = info.size;
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") {
      return failed([
        error(
          options.referencedAt === undefined ? "file-not-found" : "cases-file-not-found",
          where,
          `the ${options.kind} ${shown} does not exist`,
          options.notFoundHint ?? "check the path",
        ),
      ]);
    }
    return failed([error("file-unreadable", where, `cannot read the ${options.kind} ${shown}: ${describeFsError(cause)}`, "check the file's permissions")]);
  }
  if (size > options.maxBytes) {
    return failed([
      error(
        "file-too-large",
        startOf(file),
        `the ${options.kind} is ${formatBytes(size)}, over the limit of ${formatBytes(options.maxBytes)}`,
        options.kind === "suite file"
          ? `a suite is hand-written YAML; move large case lists to a \`cases_file\` (.jsonl or .csv, up to ${formatLimit(CASES_FILE_MAX_BYTES)})`
          : "split the cases over several suites, or sample them",
      ),
    ]);
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (cause) {
    return failed([error("file-unreadable", where, `cannot read the ${options.kind} ${shown}: ${describeFsError(cause)}`, "check the file's permissions")]);
  }
  return decodeText(bytes, file, options.kind);
}

/** UTF-8 text without NUL bytes or other control characters (tab, CR and LF allowed), BOM removed. */
export function decodeText(bytes: Uint8Array, file: string, kind: string): Result<string, Diagnostic> {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return failed([error("invalid-utf8", startOf(file), `the ${kind} is UTF-16 encoded`, "save it as UTF-8")]);
  }
  // Whichever comes first, a NUL byte or a byte that is not UTF-8, is where the text stops being text.
  const nul = bytes.indexOf(0);
  const invalid = firstInvalidUtf8(nul === -1 ? bytes : bytes.subarray(0, nul));
  if (nul !== -1 && invalid === -1) {
    return failed([
      error(
        "binary-file",
        locateByte(bytes, nul, file),
        `the ${kind} contains a NUL byte: this is a binary file, not text`,
        `check the path; a ${kind} is UTF-8 text`,
      ),
    ]);
  }
  if (invalid !== -1) {
    return failed([
      error(
        "invalid-utf8",
        locateByte(bytes, invalid, file),
        `the ${kind} is not valid UTF-8 (byte 0x${bytes[invalid]!.toString(16).padStart(2, "0")} at offset ${invalid}): binary data or another encoding`,
        "save the file as UTF-8 text",
      ),
    ]);
  }
  const text = new TextDecoder("utf-8").decode(bytes);
  const control = firstControlCharacter(text);
  if (control !== -1) {
    const code = text.charCodeAt(control).toString(16).toUpperCase().padStart(4, "0");
    return failed([
      error(
        "control-character",
        locateChar(text, control, file),
        `the ${kind} contains the control character U+${code}, which YAML and CSV text may not contain`,
        "remove it (it is invisible in most editors); binary data does not belong in a suite",
      ),
    ]);
  }
  return ok(text);
}

/** Index of the first C0 control character other than tab, LF and CR, or DEL; -1 if none. YAML forbids them. */
function firstControlCharacter(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) return i;
  }
  return -1;
}

function describeFsError(cause: unknown): string {
  const e = cause as NodeJS.ErrnoException;
  return e.code !== undefined ? `${e.code}` : String(e.message ?? cause);
}

/** Byte offset of the first byte that does not belong to a well-formed UTF-8 sequence, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    let codePoint: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min, codePoint] = [1, 0x80, b & 0x1f];
    else if (b >= 0xe0 && b <= 0xef) [need, min, codePoint] = [2, 0x800, b & 0x0f];
    else if (b >= 0xf0 && b <= 0xf4) [need, min, codePoint] = [3, 0x10000, b & 0x07];
    else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      codePoint = (codePoint << 6) | (c & 0x3f);
    }
    if (codePoint < min || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

function locateByte(bytes: Uint8Array, offset: number, file: string): SourceLocation {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  // Columns count characters, as editors do: decode the line's bytes before the offset.
  const column = new TextDecoder("utf-8").decode(bytes.subarray(lineStart, offset)).length + 1;
  return { file, line, column };
}

export function locateChar(text: string, index: number, file: string): SourceLocation {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < index; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { file, line, column: index - lineStart + 1 };
}
