import { describe, expect, it } from "vitest";
import { engineUrls, resolveRemoteEngine } from "../../../src/engine/remote/options.js";
import { dealCases } from "../../../src/engine/remote/replicas.js";

describe("engineUrls", () => {
  it("reads one URL, or several separated by commas or spaces", () => {
    expect(engineUrls("http://a:1")).toEqual(["http://a:1"]);
    expect(engineUrls(" http://a:1, http://b:2 ,http://c:3\nhttp://d:4 ")).toEqual(["http://a:1", "http://b:2", "http://c:3", "http://d:4"]);
  });

  it("refuses a list with a URL that is not http(s)", () => {
    expect(() => resolveRemoteEngine({ url: "http://a:1, ftp://b" }, {})).toThrow(/must be an http:\/\/ or https:\/\/ URL/);
    expect(resolveRemoteEngine({ url: "http://a:1, http://b:2" }, {})).toMatchObject({ url: "http://a:1, http://b:2" });
  });
});

describe("dealCases", () => {
  it("deals every case to exactly one replica, in proportion to each replica's concurrency", () => {
    for (const weights of [[1], [1, 1], [2, 1], [4, 1, 3], [1, 1, 1, 1, 1]]) {
      for (const count of [0, 1, 2, 7, 64, 101]) {
        const shares = dealCases(count, weights);
        expect(shares.flat().sort((x, y) => x - y)).toEqual(Array.from({ length: count }, (_, i) => i));
        const total = weights.reduce((s, w) => s + w, 0);
        shares.forEach((share, r) => expect(Math.abs(share.length - (count * weights[r]!) / total)).toBeLessThanOrEqual(1));
      }
    }
  });

  it("keeps suite order within each share", () => {
    for (const share of dealCases(50, [3, 2])) expect(share).toEqual([...share].sort((x, y) => x - y));
  });
});
