// The small parsers under the loader: CSV records, env references, UTF-8 validation, did-you-mean.
import { describe, expect, it } from "vitest";
import { parseCsv } from "../../src/suite/csv.js";
import { closestMatch, editDistance } from "../../src/suite/did-you-mean.js";
import { interpolateEnv } from "../../src/suite/env.js";
import { firstInvalidUtf8 } from "../../src/suite/text-file.js";

describe("parseCsv", () => {
  it("reads quoted fields with commas, doubled quotes and line breaks, remembering each record's first line", () => {
    const result = parseCsv('a,b\n"x, y","say ""hi"""\n"multi\nline",z\n\nlast,row');
    expect(result).toEqual({
      ok: true,
      value: [
        { fields: ["a", "b"], line: 1 },
        { fields: ["x, y", 'say "hi"'], line: 2 },
        { fields: ["multi\nline", "z"], line: 3 },
        { fields: ["last", "row"], line: 6 },
      ],
    });
  });

  it("handles CRLF, a final line break, and empty fields", () => {
    expect(parseCsv("a,b\r\n,\r\n")).toEqual({
      ok: true,
      value: [
        { fields: ["a", "b"], line: 1 },
        { fields: ["", ""], line: 2 },
      ],
    });
  });

  it.each([
    ['a,b\n"open,b\n', 2, 1, "never closed"],
    ['a,b\nx"y,b\n', 2, 2, "not quoted"],
    ['a,b\n"x" ,b\n', 2, 4, "after a closing double quote"],
  ])("reports %j at its line and column", (text, line, column, message) => {
    expect(parseCsv(text)).toMatchObject({ ok: false, problems: [{ line, column, message: expect.stringContaining(message) }] });
  });
});

describe("interpolateEnv", () => {
  const env = { MODELS: "/srv/models", EMPTY: "" };

  it.each([
    ["./models/base.gguf", "./models/base.gguf", []],
    ["${env:MODELS}/base.gguf", "/srv/models/base.gguf", ["MODELS"]],
    ["${env:UNSET:-./fallback}/x.gguf", "./fallback/x.gguf", ["UNSET"]],
    ["${env:EMPTY:-./fallback}/x.gguf", "./fallback/x.gguf", ["EMPTY"]],
    ["${env:UNSET:-}x.gguf", "x.gguf", ["UNSET"]],
    ["${env:MODELS}/${env:MODELS}", "/srv/models//srv/models", ["MODELS"]],
    ["$MODELS/base.gguf", "$MODELS/base.gguf", []],
  ])("%s → %s", (written, value, envVars) => {
    expect(interpolateEnv(written, env)).toEqual({ ok: true, value: { text: value, envVars } });
  });

  it.each([
    ["${env:UNSET}/x", "env-unset", "the environment variable UNSET is not set"],
    ["${env:EMPTY}/x", "env-unset", "the environment variable EMPTY is empty"],
    ["${MODELS}/x", "env-syntax", "`${MODELS}` is not a substitution"],
    ["${env:1BAD}/x", "env-syntax", "is not a substitution"],
    ["${env:MODELS/x", "env-syntax", "unclosed"],
  ])("rejects %s", (written, code, message) => {
    expect(interpolateEnv(written, env)).toMatchObject({ ok: false, problems: [{ code, message: expect.stringContaining(message) }] });
  });
});

describe("firstInvalidUtf8", () => {
  it.each([
    [[0x61, 0x62], -1],
    [[0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80], -1],
    [[0x61, 0xe9, 0x62], 1],
    [[0xc0, 0x80], 0], // overlong NUL
    [[0xed, 0xa0, 0x80], 0], // UTF-16 surrogate
    [[0x61, 0xe2, 0x82], 1], // truncated at the end
    [[0xf5, 0x80, 0x80, 0x80], 0], // beyond U+10FFFF
  ])("%j → %i", (bytes, offset) => {
    expect(firstInvalidUtf8(Uint8Array.from(bytes))).toBe(offset);
  });
});

describe("did you mean", () => {
  it("counts a transposition as one edit", () => {
    expect(editDistance("lables", "labels")).toBe(1);
    expect(editDistance("", "abc")).toBe(3);
  });

  it.each([
    ["lables", ["labels", "lora"], "labels"],
    ["fewshot", ["few_shot", "lora"], "few_shot"],
    ["Few-Shot", ["few_shot"], "few_shot"],
    ["casesfile", ["cases", "cases_file"], "cases_file"],
    ["xyz", ["labels", "lora"], undefined],
  ])("%s among %j → %s", (word, candidates, match) => {
    expect(closestMatch(word, candidates)).toBe(match);
  });
});
