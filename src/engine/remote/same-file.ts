// Is the file a server loaded the suite's file? By path when both name the same file, by content when the
// server's path can be read here, else only by file name (a server on another machine): the caller says which.
import { createHash } from "node:crypto";
import { createReadStream, existsSync, realpathSync, statSync } from "node:fs";
import { basename, resolve } from "node:path";

export type FileMatch = "path" | "content" | "name";

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

export async function fileSha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** How `serverPath` (as the server reports it) matches the local `path`, or undefined when it does not. */
export async function matchFile(serverPath: string, path: string): Promise<FileMatch | undefined> {
  if (serverPath === "") return undefined;
  if (real(serverPath) === real(path)) return "path";
  if (existsSync(serverPath)) {
    try {
      if (statSync(serverPath).size !== statSync(path).size) return undefined;
      return (await fileSha256(serverPath)) === (await fileSha256(path)) ? "content" : undefined;
    } catch {
      return undefined;
    }
  }
  return basename(serverPath) === basename(path) ? "name" : undefined;
}

/**
 * The candidates a server loaded that are the local `path`, strongest match first (path, then content, then
 * name); the caller decides what a tie means.
 */
export async function matchingFiles<T>(candidates: readonly T[], serverPathOf: (candidate: T) => string | undefined, path: string): Promise<{ candidate: T; how: FileMatch }[]> {
  const matches: { candidate: T; how: FileMatch }[] = [];
  for (const candidate of candidates) {
    const serverPath = serverPathOf(candidate);
    const how = serverPath === undefined ? undefined : await matchFile(serverPath, path);
    if (how !== undefined) matches.push({ candidate, how });
  }
  const rank: Record<FileMatch, number> = { path: 0, content: 1, name: 2 };
  return matches.sort((a, b) => rank[a.how] - rank[b.how]);
}
