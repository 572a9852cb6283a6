// Inputs whose variable names hold a hyphen (INPUT_FAIL-ON, INPUT_REPORT-PATH, ...) are not valid shell
// identifiers, and dash, Debian's and Ubuntu's /bin/sh, drops them from the environment it passes on. npm
// runs `npx tunegate action` through `sh -c`, so on those systems the entry would never see them (bash, which
// action.yml uses, passes them through). The shell's own initial environment still holds them: on Linux it
// can be read from /proc/<pid>/environ, and that is where this looks for them.
import { readFileSync } from "node:fs";
import type { Environment } from "../suite/env.js";

/** How far up the process tree to look: node ← sh ← npm exec ← npx is three steps. */
const MAX_ANCESTORS = 4;

function parseEnviron(block: string): Map<string, string> {
  const variables = new Map<string, string>();
  for (const entry of block.split("\0")) {
    const equals = entry.indexOf("=");
    if (equals > 0) variables.set(entry.slice(0, equals), entry.slice(equals + 1));
  }
  return variables;
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (2nd field) may contain spaces and parentheses; the fields after its last ")" do not.
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    return Number.isInteger(ppid) && ppid > 1 ? ppid : undefined;
  } catch {
    return undefined;
  }
}

function environOf(pid: number): Map<string, string> | undefined {
  try {
    return parseEnviron(readFileSync(`/proc/${pid}/environ`, "utf8"));
  } catch {
    return undefined;
  }
}

export interface RecoveredInputs {
  /** Variables found, by name. */
  variables: Record<string, string>;
  /** Where they came from, for the log. */
  source: string | undefined;
}

/**
 * The wanted variables missing from `env`, taken from the nearest ancestor process that has any of them,
 * provided that ancestor agrees with `env` on every INPUT_ variable both have (so it is the same
 * invocation's environment, not an unrelated outer one). `readEnviron` and `parentOf` are injectable for tests.
 */
export function recoverDroppedVariables(
  wanted: readonly string[],
  env: Environment,
  pid: number = process.pid,
  read: { environOf: (pid: number) => Map<string, string> | undefined; parentOf: (pid: number) => number | undefined } = { environOf, parentOf },
): RecoveredInputs {
  const missing = wanted.filter((name) => env[name] === undefined);
  if (missing.length === 0) return { variables: {}, source: undefined };
  let ancestor = read.parentOf(pid);
  for (let step = 0; ancestor !== undefined && step < MAX_ANCESTORS; step += 1, ancestor = read.parentOf(ancestor)) {
    const environ = read.environOf(ancestor);
    if (environ === undefined) return { variables: {}, source: undefined };
    const found = missing.filter((name) => environ.has(name));
    if (found.length === 0) continue;
    const consistent = [...environ].every(([name, value]) => !name.startsWith("INPUT_") || env[name] === undefined || env[name] === value);
    if (!consistent) return { variables: {}, source: undefined };
    return { variables: Object.fromEntries(found.map((name) => [name, environ.get(name)!])), source: `process ${ancestor}` };
  }
  return { variables: {}, source: undefined };
}

/**
 * Fills in the wanted INPUT_ variables `env` lacks: from an ancestor's environment (see above), else from
 * the same name with underscores (INPUT_FAIL_ON), which survives any shell. Returns a line for the log, if any.
 */
export function completeInputVariables(wanted: readonly string[], env: NodeJS.ProcessEnv): string | undefined {
  const hyphenated = wanted.filter((name) => name.includes("-"));
  const recovered = recoverDroppedVariables(hyphenated, env);
  for (const [name, value] of Object.entries(recovered.variables)) env[name] = value;
  const aliased: string[] = [];
  for (const name of hyphenated) {
    const alias = name.replace(/-/g, "_");
    if (env[name] === undefined && env[alias] !== undefined) {
      env[name] = env[alias];
      aliased.push(`${alias} as ${name}`);
    }
  }
  const notes: string[] = [];
  const found = Object.keys(recovered.variables);
  if (found.length > 0) notes.push(`read ${found.join(", ")} from ${recovered.source}'s environment: a /bin/sh such as dash (which npx runs commands with) drops variables whose names hold a hyphen`);
  if (aliased.length > 0) notes.push(`read ${aliased.join(", ")}`);
  return notes.length > 0 ? `tunegate: ${notes.join("; ")}.` : undefined;
}
