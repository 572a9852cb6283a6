// Content hashes of model files: the real SHA-256 of the bytes, read once per unchanged file, read again after
// any write (even one that restores the modification time), and not remembered when written while read.
import { createHash } from "node:crypto";
import { statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FileHasher, fileIdentity, sameIdentity, sha256File } from "../../src/cache/file-hash.js";
import { temporaryDir } from "../helpers/forged.js";

const sha = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

describe("sha256File", () => {
  it("is the SHA-256 of the content, for empty, small and multi-chunk files", async () => {
    const dir = temporaryDir();
    const big = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
    big[123456] = 1;
    for (const [name, data] of [["empty", ""], ["small", "gguf"], ["big", big]] as const) {
      writeFileSync(join(dir, name), data);
      expect(await sha256File(join(dir, name))).toBe(sha(data));
    }
  });
});

describe("FileHasher", () => {
  it("reads an unchanged file once, and again after a write of the same size with its mtime put back", async () => {
    const dir = temporaryDir();
    const path = join(dir, "model.gguf");
    writeFileSync(path, "weights v1");
    // A whole-second mtime, which utimes can put back exactly.
    utimesSync(path, 1_700_000_000, 1_700_000_000);
    const hasher = new FileHasher();
    expect(await hasher.sha256(path)).toBe(sha("weights v1"));
    expect(await hasher.sha256(path)).toBe(sha("weights v1"));
    expect(hasher.hashes).toBe(1);

    const before = statSync(path, { bigint: true });
    await new Promise((done) => setTimeout(done, 20));
    writeFileSync(path, "weights v2");
    utimesSync(path, 1_700_000_000, 1_700_000_000);
    const after = statSync(path, { bigint: true });
    expect([after.mtimeNs, after.size]).toEqual([before.mtimeNs, before.size]);
    expect(await hasher.sha256(path)).toBe(sha("weights v2"));
    expect(hasher.hashes).toBe(2);
  });

  it("hands its memory to the next hasher, which reads nothing for unchanged files", async () => {
    const dir = temporaryDir();
    const path = join(dir, "adapter.gguf");
    writeFileSync(path, "adapter");
    const first = new FileHasher();
    await first.sha256(path);
    const second = new FileHasher(first.entries());
    expect(await second.sha256(path)).toBe(sha("adapter"));
    expect(second.hashes).toBe(0);
  });

  it("does not trust a remembered hash whose identity differs (a poisoned or stale memo)", async () => {
    const dir = temporaryDir();
    const path = join(dir, "model.gguf");
    writeFileSync(path, "real");
    const identity = await fileIdentity(path);
    const stale = new FileHasher(new Map([[path, { identity: { ...identity, ino: "1" }, sha256: "0".repeat(64) }]]));
    expect(await stale.sha256(path)).toBe(sha("real"));
    expect(stale.hashes).toBe(1);
  });

  it("throws for a missing file", async () => {
    await expect(new FileHasher().sha256(join(temporaryDir(), "absent.gguf"))).rejects.toThrow();
  });
});

describe("file identity", () => {
  it("tells files apart and the same file alike", async () => {
    const dir = temporaryDir();
    writeFileSync(join(dir, "a"), "x");
    writeFileSync(join(dir, "b"), "x");
    expect(sameIdentity(await fileIdentity(join(dir, "a")), await fileIdentity(join(dir, "a")))).toBe(true);
    expect(sameIdentity(await fileIdentity(join(dir, "a")), await fileIdentity(join(dir, "b")))).toBe(false);
  });
});
