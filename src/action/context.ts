// What the runner tells a step about the run, read from its GITHUB_* variables (the runner's contract:
// https://docs.github.com/actions/reference/variables-reference). Everything is optional so the entry also
// runs outside Actions, where it falls back to the working directory and github.com.
import { readFile } from "node:fs/promises";
import type { Environment } from "../suite/env.js";
import { failed, ok, type Result } from "../types.js";

export interface RunnerContext {
  /** GITHUB_WORKSPACE: the repository checkout; annotation paths and blob links are relative to it. */
  workspace: string;
  serverUrl: string;
  apiUrl: string;
  /** GITHUB_GRAPHQL_URL; on GitHub Enterprise Server `<host>/api/graphql` beside `<host>/api/v3`. */
  graphqlUrl: string;
  /** owner/name */
  repository: string | undefined;
  sha: string | undefined;
  eventName: string | undefined;
  eventPath: string | undefined;
  runId: string | undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

export function readRunnerContext(env: Environment, cwd: string): RunnerContext {
  const apiUrl = (nonEmpty(env.GITHUB_API_URL) ?? "https://api.github.com").replace(/\/+$/, "");
  return {
    workspace: nonEmpty(env.GITHUB_WORKSPACE) ?? cwd,
    serverUrl: (nonEmpty(env.GITHUB_SERVER_URL) ?? "https://github.com").replace(/\/+$/, ""),
    apiUrl,
    graphqlUrl: (nonEmpty(env.GITHUB_GRAPHQL_URL) ?? apiUrl.replace(/\/v3$/, "") + "/graphql").replace(/\/+$/, ""),
    repository: nonEmpty(env.GITHUB_REPOSITORY),
    sha: nonEmpty(env.GITHUB_SHA),
    eventName: nonEmpty(env.GITHUB_EVENT_NAME),
    eventPath: nonEmpty(env.GITHUB_EVENT_PATH),
    runId: nonEmpty(env.GITHUB_RUN_ID),
  };
}

/** Events whose payload carries the pull request a comment belongs to. */
export const PULL_REQUEST_EVENTS = ["pull_request", "pull_request_target"] as const;

/**
 * The pull request of this run, from the event payload (GITHUB_EVENT_PATH), or why there is none. Only
 * pull_request and pull_request_target events qualify: other events (push, workflow_dispatch) have no pull
 * request to comment on, even when their payload mentions one.
 */
export async function pullRequestOfRun(context: RunnerContext): Promise<Result<number, string>> {
  const event = context.eventName;
  if (event === undefined || !(PULL_REQUEST_EVENTS as readonly string[]).includes(event)) {
    return failed([`the event is ${event ?? "unknown (GITHUB_EVENT_NAME is not set)"}, not pull_request or pull_request_target`]);
  }
  if (context.eventPath === undefined) return failed(["GITHUB_EVENT_PATH is not set, so the pull request is unknown"]);
  let payload: unknown;
  try {
    payload = JSON.parse(await readFile(context.eventPath, "utf8"));
  } catch (error) {
    return failed([`the event payload ${context.eventPath} could not be read (${(error as Error).message})`]);
  }
  const number = pullRequestNumber(payload);
  return number === undefined ? failed([`the ${event} payload has no pull_request.number`]) : ok(number);
}

export function pullRequestNumber(payload: unknown): number | undefined {
  const pr = (payload as { pull_request?: { number?: unknown } } | null)?.pull_request;
  const number = pr?.number;
  return typeof number === "number" && Number.isInteger(number) && number > 0 ? number : undefined;
}

/** The run's page, for links back from a comment. */
export function runUrl(context: RunnerContext): string | undefined {
  if (context.repository === undefined || context.runId === undefined) return undefined;
  return `${context.serverUrl}/${context.repository}/actions/runs/${context.runId}`;
}
