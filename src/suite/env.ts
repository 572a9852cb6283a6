// `${env:VAR}` and `${env:VAR:-default}` in model, adapter and cases_file paths, so one suite works on
// machines that keep their models in different places.
import { failed, ok, type Result } from "../types.js";

export type Environment = Readonly<Record<string, string | undefined>>;

export interface Interpolation {
  text: string;
  /** The variables the written text refers to, for messages about the path. */
  envVars: string[];
}

export interface InterpolationProblem {
  code: "env-unset" | "env-syntax";
  message: string;
  hint: string;
}

const SUBSTITUTION = /\$\{([^}]*)\}/g;
const ENV_REFERENCE = /^env:([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;

/**
 * Expands the env references in `written`. As in the shell, `:-default` applies when the variable is unset
 * or empty; without a default an unset or empty variable is an error (an empty path part is never intended).
 */
export function interpolateEnv(written: string, env: Environment): Result<Interpolation, InterpolationProblem> {
  const envVars: string[] = [];
  let problem: InterpolationProblem | undefined;
  const value = written.replace(SUBSTITUTION, (whole, inner: string) => {
    const reference = ENV_REFERENCE.exec(inner);
    if (reference === null) {
      const bare = /^[A-Za-z_][A-Za-z0-9_]*$/.test(inner) ? inner : "VAR";
      problem ??= {
        code: "env-syntax",
        message: `\`${whole}\` is not a substitution tunegate understands`,
        hint: `write \`\${env:${bare}}\` or \`\${env:${bare}:-default}\``,
      };
      return whole;
    }
    const name = reference[1]!;
    const fallback = reference[2];
    if (!envVars.includes(name)) envVars.push(name);
    const set = env[name];
    if (set !== undefined && set !== "") return set;
    if (fallback !== undefined) return fallback;
    problem ??= {
      code: "env-unset",
      message: `the environment variable ${name} is ${set === undefined ? "not set" : "empty"} (used in \`${written}\`)`,
      hint: `set ${name} before running tunegate, or give a default: \`\${env:${name}:-./models}\``,
    };
    return whole;
  });
  if (problem === undefined && written.replace(SUBSTITUTION, "").includes("${")) {
    problem = {
      code: "env-syntax",
      message: `\`${written}\` has an unclosed \`\${\``,
      hint: "close the reference: `${env:NAME}`",
    };
  }
  return problem === undefined ? ok({ text: value, envVars }) : failed([problem]);
}
