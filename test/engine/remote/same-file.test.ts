// Matching the file a server reports against the suite's: by path, by content, else by name only.
import { copyFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { matchFile } from "../../../src/engine/remote/same-file.js";
import { temporaryDir } from "../../helpers/forged.js";

describe("matchFile", () => {
  const dir = temporaryDir();
  const file = join(dir, "adapter.gguf");
  writeFileSync(file, "adapter bytes");

  it("matches the same path, and a link to it, by path", async () => {
    symlinkSync(file, join(dir, "link.gguf"));
    expect(await matchFile(file, file)).toBe("path");
    expect(await matchFile(join(dir, "link.gguf"), file)).toBe("path");
  });

  it("matches a copy elsewhere by content, and refuses a file with other bytes", async () => {
    copyFileSync(file, join(dir, "copy.gguf"));
    writeFileSync(join(dir, "other.gguf"), "adapter bytez");
    writeFileSync(join(dir, "short.gguf"), "x");
    expect(await matchFile(join(dir, "copy.gguf"), file)).toBe("content");
    expect(await matchFile(join(dir, "other.gguf"), file)).toBeUndefined();
    expect(await matchFile(join(dir, "short.gguf"), file)).toBeUndefined();
  });

  it("matches a path that is not on this machine only by file name", async () => {
    expect(await matchFile("/models/on/the/server/adapter.gguf", file)).toBe("name");
    expect(await matchFile("/models/on/the/server/other.gguf", file)).toBeUndefined();
    expect(await matchFile("", file)).toBeUndefined();
  });
});
