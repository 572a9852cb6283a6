// Content hashes of model and adapter files, for the result cache's key: a file's SHA-256, read as a stream
// (models run to gigabytes). Hashing a multi-gigabyte file takes seconds, so a hash is remembered with the
// file's identity (device, inode, size, modification and change times in nanoseconds); an unchanged file is
// not read again, while any write to it (which moves mtime, and ctime, which no user call can set back) does.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";

/** What says a file is the same file, unchanged, without reading it. */
export interface FileIdentity {
  dev: string;
  ino: string;
  size: string;
  mtimeNs: string;
  ctimeNs: string;
}

export async function fileIdentity(path: string): Promise<FileIdentity> {
  const info = await stat(path, { bigint: true });
  return { dev: String(info.dev), ino: String(info.ino), size: String(info.size), mtimeNs: String(info.mtimeNs), ctimeNs: String(info.ctimeNs) };
}

export function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}

/** SHA-256 of a file's content, hex, read in chunks. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** A remembered hash: the file as it was when hashed, and its hash. */
export interface HashMemoEntry {
  identity: FileIdentity;
  sha256: string;
}

/**
 * Content hashes by path, remembered by identity. `hashes` counts the files actually read, so a test can tell
 * a remembered hash from a fresh one.
 */
export class FileHasher {
  hashes = 0;
  readonly #memo: Map<string, HashMemoEntry>;

  constructor(memo: ReadonlyMap<string, HashMemoEntry> = new Map()) {
    this.#memo = new Map(memo);
  }

  /** The content hash of `path` (absolute). */
  async sha256(path: string): Promise<string> {
    const before = await fileIdentity(path);
    const known = this.#memo.get(path);
    if (known && sameIdentity(known.identity, before)) return known.sha256;
    const sha256 = await sha256File(path);
    this.hashes += 1;
    // A file written while it was read is not remembered: its hash may belong to neither version.
    const after = await fileIdentity(path);
    if (sameIdentity(before, after)) this.#memo.set(path, { identity: after, sha256 });
    else this.#memo.delete(path);
    return sha256;
  }

  /** Everything remembered, to be saved for the next process. */
  entries(): Map<string, HashMemoEntry> {
    return new Map(this.#memo);
  }
}
