// One PR comment per pull request, kept up to date: found among the PR's comments by a hidden marker on its
// first line and by its author (the token's own identity: anyone can paste the marker into a comment of
// theirs, and tunegate must never adopt, rewrite or vouch for it), edited on later pushes, created only when
// none exists. REST calls against GITHUB_API_URL and one GraphQL query for the token's login
// (also right on GitHub Enterprise Server) through @actions/http-client, which goes through the runner's
// proxy (HTTPS_PROXY, HTTP_PROXY, NO_PROXY) as the rest of the toolkit does; plain `fetch` ignores it.
import { HttpClient, type HttpClientResponse } from "@actions/http-client";
import { COMMENT_MAX_CHARS, measureChars, truncateMarkdown } from "./summary.js";

export const COMMENT_MARKER = "<!-- tunegate -->";

export interface CommentTarget {
  /** GITHUB_API_URL, without a trailing slash. */
  apiUrl: string;
  /** GITHUB_GRAPHQL_URL: where the token's own login is asked (REST /user refuses a GITHUB_TOKEN). */
  graphqlUrl: string;
  token: string;
  /** owner/name */
  repository: string;
  pullRequest: number;
}

export type CommentOutcome =
  | { kind: "created" | "updated"; id: number; url: string }
  /** 403: the token may not comment (read-only token on a fork's PR, missing `pull-requests: write`) or a rate limit. */
  | { kind: "forbidden"; message: string }
  | { kind: "failed"; message: string };

/** 100 pages of 100: a PR with more comments than that is not searched further. */
const MAX_PAGES = 100;
const REQUEST_TIMEOUT_MS = 30_000;

interface IssueComment {
  id: number;
  html_url?: string;
  body?: string | null;
  user?: { login?: string } | null;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The comment body: the marker, then the Markdown cut to GitHub's limit. */
export function commentBody(markdown: string): string {
  const head = `${COMMENT_MARKER}\n`;
  return head + truncateMarkdown(markdown, COMMENT_MAX_CHARS - head.length, measureChars, "_The report was cut to fit a comment; the job summary and the JSON report have all of it._");
}

export function isTunegateComment(body: string | null | undefined): boolean {
  return typeof body === "string" && body.trimStart().startsWith(COMMENT_MARKER);
}

/** The `rel="next"` URL of a Link header (RFC 8288, as GitHub paginates), if any. */
export function nextPageUrl(link: string | null): string | undefined {
  if (link === null) return undefined;
  for (const part of link.split(",")) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (!match) continue;
    const rels = match[2]!
      .split(";")
      .map((param) => /^\s*rel\s*=\s*"?([^"]*)"?\s*$/i.exec(param)?.[1])
      .filter((value): value is string => value !== undefined)
      .flatMap((value) => value.trim().split(/\s+/));
    if (rels.includes("next")) return match[1];
  }
  return undefined;
}

interface ApiResponse {
  headers: HttpClientResponse["message"]["headers"];
  json: unknown;
}

function headerValue(value: string | string[] | undefined): string | null {
  return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
}

async function request(client: HttpClient, target: CommentTarget, method: string, url: string, body?: unknown): Promise<ApiResponse> {
  const response = await client.request(method, url, body === undefined ? null : JSON.stringify(body), {
    accept: "application/vnd.github+json",
    authorization: `Bearer ${target.token}`,
    "x-github-api-version": "2022-11-28",
    ...(body === undefined ? {} : { "content-type": "application/json" }),
  });
  const status = response.message.statusCode ?? 0;
  const text = await response.readBody();
  if (status < 200 || status > 299) {
    let message = text.slice(0, 300);
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? message;
    } catch {
      // not JSON: keep the text
    }
    const rateLimited = headerValue(response.message.headers["x-ratelimit-remaining"]) === "0";
    throw new ApiError(status, `${method} ${new URL(url).pathname} answered ${status}${message ? `: ${message}` : ""}${rateLimited ? " (rate limit exhausted)" : ""}`);
  }
  return { headers: response.message.headers, json: text === "" ? undefined : JSON.parse(text) };
}

/**
 * The token's own login. GraphQL names a GitHub App's bot "github-actions" where REST says
 * "github-actions[bot]", so logins are compared without that suffix.
 */
async function viewerLogin(client: HttpClient, target: CommentTarget): Promise<string> {
  if (new URL(target.graphqlUrl).origin !== new URL(target.apiUrl).origin) {
    throw new Error(`GITHUB_GRAPHQL_URL (${target.graphqlUrl}) is not on the API's origin; the token is not sent there`);
  }
  const response = await request(client, target, "POST", target.graphqlUrl, { query: "query { viewer { login } }" });
  const login = (response.json as { data?: { viewer?: { login?: unknown } } } | undefined)?.data?.viewer?.login;
  if (typeof login !== "string" || login === "") throw new Error("the GraphQL API did not say which account the token belongs to");
  return login;
}

function sameAccount(a: string | undefined, b: string): boolean {
  const bare = (login: string) => login.replace(/\[bot\]$/, "").toLowerCase();
  return a !== undefined && bare(a) === bare(b);
}

async function findExisting(client: HttpClient, target: CommentTarget): Promise<IssueComment | undefined> {
  const base = new URL(target.apiUrl);
  let viewer: string | undefined;
  let url: string | undefined = `${target.apiUrl}/repos/${target.repository}/issues/${target.pullRequest}/comments?per_page=100`;
  for (let page = 0; url !== undefined && page < MAX_PAGES; page += 1) {
    const response = await request(client, target, "GET", url);
    const comments = (response.json as IssueComment[]).filter((comment) => isTunegateComment(comment.body));
    // Asked only once a marked comment turns up: a PR's first run needs no extra call.
    if (comments.length > 0) viewer ??= await viewerLogin(client, target);
    const found = comments.find((comment) => sameAccount(comment.user?.login ?? undefined, viewer!));
    if (found) return found;
    url = nextPageUrl(headerValue(response.headers.link));
    // The token goes only to the API's own origin, whatever a Link header says.
    if (url !== undefined && new URL(url).origin !== base.origin) url = undefined;
  }
  return undefined;
}

export async function upsertComment(target: CommentTarget, markdown: string): Promise<CommentOutcome> {
  const body = commentBody(markdown);
  // No redirects: http-client keeps the token on a redirect to another port of the same host, and the token
  // goes only to the API's own origin (as with the Link header below).
  const client = new HttpClient("tunegate-action", [], { socketTimeout: REQUEST_TIMEOUT_MS, allowRedirects: false });
  try {
    const existing = await findExisting(client, target);
    if (existing) {
      const response = await request(client, target, "PATCH", `${target.apiUrl}/repos/${target.repository}/issues/comments/${existing.id}`, { body });
      const updated = response.json as IssueComment;
      return { kind: "updated", id: updated.id, url: updated.html_url ?? "" };
    }
    const response = await request(client, target, "POST", `${target.apiUrl}/repos/${target.repository}/issues/${target.pullRequest}/comments`, { body });
    const created = response.json as IssueComment;
    return { kind: "created", id: created.id, url: created.html_url ?? "" };
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) return { kind: "forbidden", message: error.message };
    const code = (error as { code?: unknown }).code;
    const message = (error as Error).message;
    return { kind: "failed", message: typeof code === "string" && !message.includes(code) ? `${message} (${code})` : message };
  } finally {
    client.dispose();
  }
}
