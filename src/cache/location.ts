// Where the result cache lives, or why there is none. Default: node_modules/.cache/tunegate under the project
// root (where tools keep caches, ignored by git and by npm pack). Under GitHub Actions the default is not used:
// the workspace is a pull request's checkout, and a pull request can commit files there, a poisoned cache
// among them, whose results would then be reported as measured. A folder named explicitly is used anyway.
import { isAbsolute, resolve } from "node:path";
import type { Environment } from "../suite/env.js";

/** The environment variable naming the cache folder. */
export const CACHE_DIR_ENV = "TUNEGATE_CACHE_DIR";
/** The environment variable that turns the cache off ("1" or "true"), as --no-cache does, unless a folder is named explicitly. */
export const NO_CACHE_ENV = "TUNEGATE_NO_CACHE";
/** The default folder, relative to the project root. */
export const DEFAULT_CACHE_DIR = "node_modules/.cache/tunegate";

export interface CacheSettings {
  /** false turns the cache off (`--no-cache`). */
  enabled?: boolean;
  /** The cache folder, relative to `cwd`; overrides the environment variable and the default. */
  dir?: string;
}

export type CacheLocation =
  /** `shown` names the folder in messages: the path, or the variable's name when it came from the environment. */
  | { on: true; dir: string; shown: string }
  /** `note`: why it is off when the user did not turn it off, to say once; undefined when they did. */
  | { on: false; note: string | undefined };

/**
 * Precedence: an option turning the cache off, an option naming the folder, TUNEGATE_NO_CACHE, TUNEGATE_CACHE_DIR,
 * then the default (none on GitHub Actions).
 */
export function resolveCacheLocation(settings: CacheSettings, where: { root: string; cwd: string; env: Environment }): CacheLocation {
  if (settings.enabled === false) return { on: false, note: undefined };
  if (settings.dir !== undefined && settings.dir !== "") {
    const dir = isAbsolute(settings.dir) ? resolve(settings.dir) : resolve(where.cwd, settings.dir);
    return { on: true, dir, shown: dir };
  }
  const off = where.env[NO_CACHE_ENV]?.trim().toLowerCase();
  if (off === "1" || off === "true") return { on: false, note: undefined };
  const fromEnv = where.env[CACHE_DIR_ENV];
  if (fromEnv !== undefined && fromEnv !== "") {
    return { on: true, dir: isAbsolute(fromEnv) ? resolve(fromEnv) : resolve(where.cwd, fromEnv), shown: `$${CACHE_DIR_ENV}` };
  }
  if (where.env.GITHUB_ACTIONS === "true") {
    return {
      on: false,
      note:
        "result cache off on GitHub Actions: a pull request could commit a poisoned cache into the workspace; " +
        `to use one, name a folder outside the workspace (--cache-dir, the plugin's cacheDir, or ${CACHE_DIR_ENV}), e.g. one restored by actions/cache`,
    };
  }
  const dir = resolve(where.root, DEFAULT_CACHE_DIR);
  return { on: true, dir, shown: dir };
}
