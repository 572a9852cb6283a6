// Command-line arguments → suite files. Shells expand globs themselves, but not when quoted, on Windows, or in
// CI YAML, so `*`, `**`, `?` and `[...]` are expanded here too. A directory stands for every *.cases.yaml
// (or .cases.yml) below it.
import { readdirSync, statSync } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";

/** Folders never searched: dependencies, VCS data and build output hold no suites of the user's. */
const SKIPPED_DIRS = new Set(["node_modules", ".git", "dist", ".cache", "coverage"]);
const SUITE_FILE = /\.cases\.ya?ml$/i;

export interface ExpandedPaths {
  /** Absolute paths, in argument order, without repeats. Literal paths are kept even if they do not exist. */
  files: string[];
  /** Globs and directories that matched no suite file. */
  unmatched: string[];
}

export function expandSuitePaths(args: readonly string[], cwd: string): ExpandedPaths {
  const files: string[] = [];
  const unmatched: string[] = [];
  const add = (file: string) => {
    if (!files.includes(file)) files.push(file);
  };
  for (const arg of args) {
    if (hasGlob(arg)) {
      const matches = expandGlob(arg, cwd);
      if (matches.length === 0) unmatched.push(arg);
      matches.forEach(add);
      continue;
    }
    const absolute = resolve(cwd, arg);
    if (isDirectory(absolute)) {
      const found = walk(absolute).filter((file) => SUITE_FILE.test(file)).sort();
      if (found.length === 0) unmatched.push(arg);
      found.forEach(add);
      continue;
    }
    add(absolute);
  }
  return { files, unmatched };
}

function hasGlob(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

/** Files matching `pattern`, sorted. The walk starts at the pattern's longest literal directory prefix. */
export function expandGlob(pattern: string, cwd: string): string[] {
  const normalised = pattern.split(sep).join("/");
  const segments = normalised.split("/");
  const firstGlob = segments.findIndex(hasGlob);
  const baseSegments = segments.slice(0, firstGlob);
  const base = resolve(cwd, baseSegments.join("/") || (isAbsolute(normalised) ? "/" : "."));
  const matcher = globToRegExp(segments.slice(firstGlob).join("/"));
  if (!isDirectory(base)) return [];
  return walk(base)
    .filter((file) => matcher.test(relative(base, file).split(sep).join("/")))
    .sort();
}

/** `**` spans folders, `*` and `?` stay within one name, `[...]` is a character class. */
export function globToRegExp(glob: string): RegExp {
  let source = "";
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === "*" && glob[i + 1] === "*") {
      const slash = glob[i + 2] === "/";
      source += slash ? "(?:.*/)?" : ".*";
      i += slash ? 2 : 1;
    } else if (ch === "*") {
      source += "[^/]*";
    } else if (ch === "?") {
      source += "[^/]";
    } else if (ch === "[") {
      const close = glob.indexOf("]", i + 1);
      if (close === -1) {
        source += "\\[";
      } else {
        const body = glob.slice(i + 1, close).replace(/^!/, "^").replace(/\\/g, "\\\\");
        source += `[${body}]`;
        i = close;
      }
    } else {
      source += ch.replace(/[.+^${}()|\\]/g, "\\$&");
    }
  }
  return new RegExp(`^${source}$`);
}

function walk(dir: string): string[] {
  const found: string[] = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) found.push(...walk(path));
    } else if (entry.isFile() || entry.isSymbolicLink()) {
      found.push(path);
    }
  }
  return found;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
