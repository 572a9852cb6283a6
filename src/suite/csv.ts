// A strict RFC 4180 reader that remembers where each record starts, so a case read from a CSV file can
// point at its own line. Fields are comma-separated; a field with commas, quotes or line breaks is wrapped in
// double quotes, with inner quotes doubled. Lines may end in CRLF or LF; blank lines are skipped.
// Kept by hand rather than a CSV library because every error and record needs its file:line:col.
import { failed, ok, type Result } from "../types.js";

export interface CsvRecord {
  fields: string[];
  /** 1-based line where the record starts. */
  line: number;
}

export interface CsvError {
  message: string;
  hint: string;
  line: number;
  column: number;
}

/** Fails at the first quoting error: after one, where a field ends is a guess, so no later record can be trusted. */
export function parseCsv(text: string): Result<CsvRecord[], CsvError> {
  const records: CsvRecord[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const column = (index: number) => index - lineStart + 1;
  const atLineBreak = (index: number) => text[index] === "\n" || text[index] === "\r";
  const skipLineBreak = () => {
    if (text[i] === "\r" && text[i + 1] === "\n") i += 2;
    else i += 1;
    line++;
    lineStart = i;
  };

  while (i < text.length) {
    const recordLine = line;
    const fields: string[] = [];
    for (;;) {
      if (text[i] === '"') {
        const open = { line, column: column(i) };
        i++;
        let value = "";
        for (;;) {
          if (i >= text.length) {
            return failed([
              {
                message: "a quoted field is never closed: the double quote opened here has no closing quote",
                hint: 'close the field with `"`; write a double quote inside a quoted field as `""`',
                ...open,
              },
            ]);
          }
          const ch = text[i]!;
          if (ch === '"') {
            if (text[i + 1] === '"') {
              value += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (ch === "\n" || ch === "\r") {
            value += ch === "\r" && text[i + 1] === "\n" ? "\r\n" : ch;
            skipLineBreak();
            continue;
          }
          value += ch;
          i++;
        }
        if (i < text.length && text[i] !== "," && !atLineBreak(i)) {
          return failed([
            {
              message: `unexpected text after a closing double quote: \`${text[i]}\``,
              hint: 'a quoted field must end right after its closing quote; write a double quote inside it as `""`',
              line,
              column: column(i),
            },
          ]);
        }
        fields.push(value);
      } else {
        const start = i;
        while (i < text.length && text[i] !== "," && !atLineBreak(i)) {
          if (text[i] === '"') {
            return failed([
              {
                message: "a double quote inside a field that is not quoted",
                hint: 'wrap the whole field in double quotes and double the quotes inside: `"He said ""hi"""`',
                line,
                column: column(i),
              },
            ]);
          }
          i++;
        }
        fields.push(text.slice(start, i));
      }
      if (text[i] === ",") {
        i++;
        continue;
      }
      break;
    }
    if (i < text.length) skipLineBreak();
    const blank = fields.length === 1 && fields[0] === "";
    if (!blank) records.push({ fields, line: recordLine });
  }
  return ok(records);
}
