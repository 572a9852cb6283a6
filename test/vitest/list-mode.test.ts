import { describe, expect, it } from "vitest";
import { isVitestList } from "../../src/vitest/plugin.js";

describe("isVitestList", () => {
  it.each<[string[], boolean]>([
    [["node", "/p/node_modules/vitest/vitest.mjs", "list"], true],
    [["node", "/p/node_modules/.bin/vitest", "--config", "x", "list", "a"], false], // "x" is the first word: not the list command
    [["node", "/p/node_modules/.bin/vitest", "--silent", "list", "--json"], true],
    [["node", "/p/node_modules/vitest/vitest.mjs", "run", "list"], false],
    [["node", "/p/node_modules/vitest/vitest.mjs"], false],
    [["node", "/p/bin/tunegate.js", "list"], false],
    [["node"], false],
  ])("%j → %s", (argv, listing) => {
    expect(isVitestList(argv)).toBe(listing);
  });
});
