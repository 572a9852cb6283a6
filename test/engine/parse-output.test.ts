import { describe, expect, it } from "vitest";
import { parseGeneratedLabel } from "../../src/engine/parse-output.js";

const labels = ["complaint", "inquiry", "praise", "cancellation"];

describe("parseGeneratedLabel: the article's first-word rule", () => {
  it.each([
    [" complaint", "complaint"],
    ["complaint\n---\nMessage:", "complaint"],
    ["Complaint.", "complaint"],
    ['"praise"', "praise"],
    ["  INQUIRY: the customer asks", "inquiry"],
    ["cancellation!!", "cancellation"],
  ])("%j -> %s", (text, expected) => expect(parseGeneratedLabel(text, labels)).toBe(expected));

  it.each([
    ["", "nothing"],
    ["   \n", "only whitespace"],
    ["complaints", "a longer word"],
    ["it is a complaint", "the label, but not first"],
    ["complaint-ish", "the label glued to more letters"],
    ["Once upon a time", "story text"],
  ])("%j is invalid (%s), never mapped to the nearest label", (text) => {
    expect(parseGeneratedLabel(text, labels)).toBe("invalid");
  });

  it("returns the suite's own spelling of a label", () => {
    expect(parseGeneratedLabel("positive", ["Positive", "Negative"])).toBe("Positive");
  });

  it("matches labels with spaces against the start of the output, longest first", () => {
    const multi = ["not sure", "not", "yes"];
    expect(parseGeneratedLabel("Not sure, maybe", multi)).toBe("not sure");
    expect(parseGeneratedLabel("not at all", multi)).toBe("not");
    expect(parseGeneratedLabel("not surely", multi)).toBe("not");
  });
});
