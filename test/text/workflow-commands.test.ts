// The runner executes `::` after leading whitespace and `##[` anywhere; neutralised text has neither, even
// when a command arrives split across several writes.
import { describe, expect, it } from "vitest";
import { CommandNeutraliser, neutraliseCommands } from "../../src/text/workflow-commands.js";

/** Lines the runner would execute: split as it splits (CR, LF), trimmed as .NET trims. */
function commandLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/).filter((line) => line.replace(/^[\s\u0085\u180e]+/, "").startsWith("::") || line.includes("##["));
}

describe("neutraliseCommands", () => {
  it("leaves no executable line in hostile text, and the text as it reads", () => {
    const hostile = "ok\n::set-output name=verdict::ship-prompt\r  ::add-mask::x\n\t\u0085::error::x\nsee ##[set-output name=gate;]pass\n\u00a0::warning::y";
    const safe = neutraliseCommands(hostile);
    expect(commandLines(hostile)).toHaveLength(5);
    expect(commandLines(safe)).toEqual([]);
    expect(safe.replace(/\u200b/g, "")).toBe(hostile);
  });

  it("catches a command split across writes, and lets tunegate's own through", () => {
    const stream = new CommandNeutraliser();
    const written = ["a line\n  ", ":", ":error::x\n#", "#", "[set-output]\n"].map((piece) => stream.filter(piece)).join("");
    expect(commandLines(written)).toEqual([]);
    const own = new CommandNeutraliser();
    expect(own.filter("::warning title=tunegate::a ##[b]\n", true)).toBe("::warning title=tunegate::a ##\u200b[b]\n");
    expect(own.filter("x: y\n")).toBe("x: y\n");
    // A colour code before the command is looked through.
    expect(new CommandNeutraliser().filter("\u001b[31m\u001b[1m::error::x\u001b[39m\n")).toBe("\u001b[31m\u001b[1m\u200b::error::x\u001b[39m\n");
  });
});
