// Where the cache lives: option, environment, default; and no default cache inside a GitHub Actions workspace.
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveCacheLocation } from "../../src/cache/location.js";

const where = (env: Record<string, string> = {}) => ({ root: "/project", cwd: "/project/sub", env });

describe("resolveCacheLocation", () => {
  it("defaults to node_modules/.cache/tunegate under the project root", () => {
    expect(resolveCacheLocation({}, where())).toEqual({ on: true, dir: resolve("/project/node_modules/.cache/tunegate"), shown: resolve("/project/node_modules/.cache/tunegate") });
  });

  it("takes a folder option relative to the working directory, over the environment", () => {
    expect(resolveCacheLocation({ dir: "cache" }, where({ TUNEGATE_CACHE_DIR: "/env" }))).toMatchObject({ on: true, dir: resolve("/project/sub/cache") });
    expect(resolveCacheLocation({ dir: "/abs" }, where())).toMatchObject({ on: true, dir: resolve("/abs") });
  });

  it("takes TUNEGATE_CACHE_DIR, naming the variable rather than its value in messages", () => {
    expect(resolveCacheLocation({}, where({ TUNEGATE_CACHE_DIR: "/secret/place" }))).toEqual({ on: true, dir: resolve("/secret/place"), shown: "$TUNEGATE_CACHE_DIR" });
    expect(resolveCacheLocation({}, where({ TUNEGATE_CACHE_DIR: "rel" }))).toMatchObject({ dir: resolve("/project/sub/rel") });
  });

  it("is off, with no note, when turned off by option or TUNEGATE_NO_CACHE (which a named folder overrides)", () => {
    expect(resolveCacheLocation({ enabled: false, dir: "/abs" }, where({ TUNEGATE_CACHE_DIR: "/env" }))).toEqual({ on: false, note: undefined });
    for (const value of ["1", "true", "TRUE"]) expect(resolveCacheLocation({}, where({ TUNEGATE_NO_CACHE: value, TUNEGATE_CACHE_DIR: "/env" }))).toEqual({ on: false, note: undefined });
    expect(resolveCacheLocation({}, where({ TUNEGATE_NO_CACHE: "0" }))).toMatchObject({ on: true });
    expect(resolveCacheLocation({ dir: "/abs" }, where({ TUNEGATE_NO_CACHE: "1" }))).toMatchObject({ on: true, dir: resolve("/abs") });
  });

  it("uses no default folder on GitHub Actions, saying why and how to name one; a named folder is used", () => {
    const off = resolveCacheLocation({}, where({ GITHUB_ACTIONS: "true" }));
    expect(off.on).toBe(false);
    expect(!off.on && off.note).toMatch(/poisoned cache.*--cache-dir.*cacheDir.*TUNEGATE_CACHE_DIR/);
    expect(resolveCacheLocation({ dir: "/runner/temp/tg" }, where({ GITHUB_ACTIONS: "true" }))).toMatchObject({ on: true, dir: resolve("/runner/temp/tg") });
    expect(resolveCacheLocation({}, where({ GITHUB_ACTIONS: "true", TUNEGATE_CACHE_DIR: "/runner/temp/tg" }))).toMatchObject({ on: true });
  });
});
