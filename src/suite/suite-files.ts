// Which files are suites: one decision for the CLI, the Vitest plugin and the Action. The letter case is
// ignored because a suite named `Triage.Cases.YAML` on macOS or Windows must not drop out of the run once
// the same repository is checked out on a Linux CI runner.
import { resolve } from "node:path";
import { globSync } from "tinyglobby";

const SUITE_FILE_EXTENSIONS = [".cases.yaml", ".cases.yml"] as const;

/** Every suite file below a folder, as people read it (the Action's default `suites`); match it case-insensitively. */
export const SUITE_FILE_GLOB = "**/*.cases.{yaml,yml}";

/**
 * SUITE_FILE_GLOB for matchers that have no case-insensitive mode, such as Vitest's `include`: each letter
 * becomes a class of both cases (`[cC][aA]...`).
 */
export const SUITE_FILE_GLOB_ANY_CASE = SUITE_FILE_GLOB.replace(/[a-z]/g, (letter) => `[${letter}${letter.toUpperCase()}]`);

/** Whether `path` names a suite file: `.cases.yaml` or `.cases.yml`, in any letter case. */
export function isSuiteFile(path: string): boolean {
  const lower = path.toLowerCase();
  return SUITE_FILE_EXTENSIONS.some((extension) => lower.endsWith(extension));
}

/** Folders never searched: dependencies, VCS data and build output hold no suites of the user's. */
const SKIPPED_DIRS = ["node_modules", ".git", "dist", ".cache", "coverage"] as const;

/** Files below `base` matching `glob` (ignoring letter case), as absolute paths, sorted. */
export function searchFiles(glob: string, base: string): string[] {
  return globSync(glob, {
    cwd: base,
    absolute: true,
    dot: true,
    caseSensitiveMatch: false,
    expandDirectories: false,
    // As git and npm do with a work tree: a link to a folder is not walked into, so a hostile link cannot
    // pull files from elsewhere on the machine into a run (a link to a single file is still taken).
    followSymbolicLinks: false,
    ignore: SKIPPED_DIRS.map((dir) => `**/${dir}/**`),
  })
    .map((file) => resolve(file))
    .sort();
}
