import { describe, expect, it } from "vitest";
import { displayWidth, graphemesOf, padEnd, padStart, singleLine, truncate, wrap } from "../../src/text/width.js";

describe("displayWidth", () => {
  it("counts terminal cells", () => {
    expect(displayWidth("abc")).toBe(3);
    expect(displayWidth("日本語")).toBe(6);
    expect(displayWidth("e\u0301")).toBe(1); // e + combining acute
    expect(displayWidth("👍")).toBe(2);
    expect(displayWidth("\u001b[31mred\u001b[39m")).toBe(3);
    expect(displayWidth("")).toBe(0);
  });
});

describe("truncate", () => {
  it("keeps text that fits", () => {
    expect(truncate("hello", 5)).toBe("hello");
  });

  it("cuts with an ellipsis to exactly the width", () => {
    expect(truncate("hello world", 8)).toBe("hello w…");
    expect(displayWidth(truncate("hello world", 8))).toBe(8);
    expect(truncate("hello", 1)).toBe("…");
    expect(truncate("hello", 0)).toBe("");
  });

  it("never splits a wide character or a grapheme", () => {
    const cut = truncate("日本語テキスト", 6);
    expect(cut).toBe("日本…");
    expect(displayWidth(cut)).toBeLessThanOrEqual(6);
    expect(truncate("e\u0301e\u0301e\u0301e\u0301", 3)).toBe("e\u0301e\u0301…");
  });
});

describe("padding and single lines", () => {
  it("pads by display width", () => {
    expect(padEnd("日本", 6)).toBe("日本  ");
    expect(padStart("7", 3)).toBe("  7");
    expect(padEnd("toolong", 3)).toBe("toolong");
  });

  it("flattens whitespace and control characters", () => {
    expect(singleLine("  a\nb\t\tc\u0007d  ")).toBe("a b c d");
  });

  it("counts colour codes as no cells", () => {
    expect(displayWidth("\u001b[1mbold\u001b[22m")).toBe(4);
    expect(displayWidth("\u001b[31m日本\u001b[39m")).toBe(4);
  });
});

describe("wrap", () => {
  it("wraps words to the width with a hanging indent", () => {
    expect(wrap("one two three four five", 12, "lbl ", "    ")).toEqual(["lbl one two", "    three", "    four", "    five"]);
  });

  it("cuts words longer than a line", () => {
    const lines = wrap("abcdefghijklmnop", 6);
    expect(lines).toEqual(["abcdef", "ghijkl", "mnop"]);
  });

  it("keeps every line within the width, whatever the input", () => {
    const text = "日本語 😀😀😀 supercalifragilisticexpialidocious a b c " + "x".repeat(50);
    for (const width of [1, 2, 3, 5, 8, 13, 40]) {
      for (const line of wrap(text, width, "pre ", "  ")) expect(displayWidth(line)).toBeLessThanOrEqual(width);
    }
  });

  it("returns the prefix alone for empty text", () => {
    expect(wrap("", 10, "label")).toEqual(["label"]);
  });

  it("wraps a megabyte-long word in one pass, into full lines", () => {
    // Cutting used to rescan the rest of the word for every line: a 1 MB suite name took minutes and gigabytes.
    const word = "x".repeat(1_000_000);
    const lines = wrap(word, 100, "name: ", "      ");
    expect(lines).toHaveLength(Math.ceil((1_000_000 + 6) / 94));
    expect(lines.every((line) => line.length <= 100)).toBe(true);
    expect(lines.join("").replace(/[ :name]/g, "")).toHaveLength(1_000_000);
  });

  it("splits long text into the same grapheme clusters as one whole-string segmentation", () => {
    const pieces = ["a", "日", "e\u0301", "👍🏽", "👩‍👩‍👧", "🇫🇷", "🇩🇪", "\r\n", " ", "\u200d", "\u0301\u0302"];
    const segmenter = new Intl.Segmenter("en", { granularity: "grapheme" });
    let seed = 5;
    const next = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    for (let round = 0; round < 20; round++) {
      const text = Array.from({ length: 1500 }, () => pieces[next(pieces.length)]).join("");
      expect([...graphemesOf(text)]).toEqual(Array.from(segmenter.segment(text), ({ segment }) => segment));
    }
  });
});
