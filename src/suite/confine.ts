// Suite and cases files must lie inside the folder a run is confined to (the Action's workspace): a pull
// request can add a link that makes a "suite" or "cases file" of any file on the runner, and what is read is
// echoed in messages, reports and the PR comment. Links are followed, as git and npm resolve them, so what
// counts is where the file really is. Model files are not confined: teams keep weights in a cache elsewhere,
// and a model is never quoted.
import { realpath } from "node:fs/promises";
import { sep } from "node:path";
import { error, type Diagnostic } from "./diagnostics.js";
import type { SourceLocation } from "../types.js";

/** Whether `path` is `folder` or lies below it (both already resolved, links followed where they exist). */
export function liesWithin(path: string, folder: string): boolean {
  return path === folder || path.startsWith(folder.endsWith(sep) ? folder : folder + sep);
}

/** A diagnostic when `file` (links followed) lies outside `root`; undefined when inside or when it does not exist. */
export async function outsideRoot(file: string, root: string, what: string, location: SourceLocation): Promise<Diagnostic | undefined> {
  const [real, realRoot] = await Promise.all([realpath(file).catch(() => undefined), realpath(root).catch(() => root)]);
  if (real === undefined || liesWithin(real, realRoot)) return undefined;
  return error(
    "outside-workspace",
    location,
    `the ${what} ${file} lies outside the workspace ${realRoot} (it resolves to ${real}); it is not read`,
    "keep suites and cases files inside the repository, as regular files rather than links out of it",
  );
}
