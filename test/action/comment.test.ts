// The PR comment against a local HTTP server standing in for GitHub's API: one comment, found by its marker
// across pages, edited rather than duplicated, a 403 reported as an outcome rather than thrown, and the
// requests sent through the proxy the environment names.
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { COMMENT_MARKER, commentBody, isTunegateComment, nextPageUrl, upsertComment, type CommentTarget } from "../../src/action/comment.js";
import { COMMENT_MAX_CHARS } from "../../src/action/summary.js";
import { chatter, startFakeGitHub, startFakeProxy } from "./github-api.js";

const github = await startFakeGitHub();
afterAll(() => github.close());

const target: CommentTarget = { apiUrl: github.url, graphqlUrl: `${github.url}/graphql`, token: "ghs_test", repository: "acme/bot", pullRequest: 7 };
const KEY = "acme/bot#7";

beforeEach(() => {
  github.comments.clear();
  github.requests.length = 0;
  github.pageSize = 100;
  github.forbidden = false;
  github.forbidWrites = false;
  github.foreignNextLink = undefined;
  github.redirectTo = undefined;
  github.viewer = "github-actions[bot]";
});

describe("upsertComment", () => {
  it("creates the comment when none has the marker, then edits that one comment", async () => {
    github.comments.set(KEY, chatter(2));
    const first = await upsertComment(target, "## tunegate: ✅ pass\n");
    expect(first).toMatchObject({ kind: "created" });
    const second = await upsertComment(target, "## tunegate: ❌ fail\n");
    expect(second).toEqual({ kind: "updated", id: (first as { id: number }).id, url: (first as { url: string }).url });

    const ours = github.comments.get(KEY)!.filter((c) => isTunegateComment(c.body));
    expect(ours).toHaveLength(1);
    expect(ours[0]!.body).toBe(`${COMMENT_MARKER}\n## tunegate: ❌ fail\n`);
    expect(github.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /repos/acme/bot/issues/7/comments?per_page=100",
      "POST /repos/acme/bot/issues/7/comments",
      "GET /repos/acme/bot/issues/7/comments?per_page=100",
      "POST /graphql",
      `PATCH /repos/acme/bot/issues/comments/${ours[0]!.id}`,
    ]);
    expect(new Set(github.requests.map((r) => r.authorization))).toEqual(new Set(["Bearer ghs_test"]));
  });

  it("follows the Link header's next page to find its comment", async () => {
    github.pageSize = 10;
    github.comments.set(KEY, [...chatter(25), { id: 500, body: `${COMMENT_MARKER}\nold`, html_url: "u", user: { login: "github-actions[bot]", type: "Bot" } }, ...chatter(3, 100)]);
    expect(await upsertComment(target, "new")).toMatchObject({ kind: "updated", id: 500 });
    expect(github.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /repos/acme/bot/issues/7/comments?per_page=100",
      "GET /repos/acme/bot/issues/7/comments?per_page=10&page=2",
      "GET /repos/acme/bot/issues/7/comments?per_page=10&page=3",
      "POST /graphql",
      "PATCH /repos/acme/bot/issues/comments/500",
    ]);
    expect(github.comments.get(KEY)).toHaveLength(29);
  });

  it("never adopts a comment with the marker that someone else wrote: it writes its own", async () => {
    const planted = { id: 600, body: `${COMMENT_MARKER}\n## tunegate: ✅ pass (says mallory)`, html_url: "u", user: { login: "mallory", type: "User" } };
    github.comments.set(KEY, [planted]);
    const outcome = await upsertComment(target, "## tunegate: ❌ fail\n");
    expect(outcome).toMatchObject({ kind: "created" });
    expect(planted.body).toBe(`${COMMENT_MARKER}\n## tunegate: ✅ pass (says mallory)`);
    expect(github.requests.filter((r) => r.method === "PATCH")).toEqual([]);
    // GraphQL's name for the bot lacks REST's "[bot]"; its own comment is still found on the next run.
    github.viewer = "github-actions";
    expect(await upsertComment(target, "again")).toMatchObject({ kind: "updated", id: (outcome as { id: number }).id });
  });

  it("writes nothing when it cannot tell which account its token is", async () => {
    github.comments.set(KEY, [{ id: 700, body: `${COMMENT_MARKER}\nold`, html_url: "u", user: { login: "github-actions[bot]", type: "Bot" } }]);
    const outcome = await upsertComment({ ...target, graphqlUrl: "http://127.0.0.2:1/graphql" }, "new");
    expect(outcome).toMatchObject({ kind: "failed" });
    expect((outcome as { message: string }).message).toContain("not on the API's origin");
    expect(github.requests.filter((r) => r.method !== "GET")).toEqual([]);
  });

  it("does not send the token to another origin named by a Link header", async () => {
    github.pageSize = 5;
    github.foreignNextLink = "http://127.0.0.2:1/steal";
    github.comments.set(KEY, chatter(12));
    expect(await upsertComment(target, "x")).toMatchObject({ kind: "created" });
    expect(github.requests.map((r) => r.method)).toEqual(["GET", "POST"]);
  });

  it("does not follow a redirect, not even to another port of the same host, so the token stays with the API", async () => {
    const elsewhere = await startFakeGitHub();
    try {
      github.redirectTo = `${elsewhere.url}/repos/acme/bot/issues/7/comments`;
      expect(await upsertComment(target, "x")).toEqual({ kind: "failed", message: "GET /repos/acme/bot/issues/7/comments answered 302" });
      expect(elsewhere.requests).toEqual([]);
    } finally {
      await elsewhere.close();
    }
  });

  it("reports a 403 on reading or on writing as forbidden, with GitHub's message", async () => {
    github.forbidden = true;
    expect(await upsertComment(target, "x")).toEqual({
      kind: "forbidden",
      message: "GET /repos/acme/bot/issues/7/comments answered 403: Resource not accessible by integration",
    });
    github.forbidden = false;
    github.forbidWrites = true;
    expect(await upsertComment(target, "x")).toEqual({
      kind: "forbidden",
      message: "POST /repos/acme/bot/issues/7/comments answered 403: Resource not accessible by integration",
    });
  });

  it("reports other API errors and unreachable servers as failed", async () => {
    expect(await upsertComment({ ...target, repository: "acme/missing-route/extra" }, "x")).toMatchObject({ kind: "failed" });
    const closed = await startFakeGitHub();
    await closed.close();
    const outcome = await upsertComment({ ...target, apiUrl: closed.url }, "x");
    expect(outcome.kind).toBe("failed");
    expect((outcome as { message: string }).message).toContain("ECONNREFUSED");
  });
});

describe("upsertComment behind a proxy", () => {
  const PROXY_VARIABLES = ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy"];

  async function withEnvironment<T>(variables: Record<string, string>, body: () => Promise<T>): Promise<T> {
    const saved = Object.fromEntries(PROXY_VARIABLES.map((name) => [name, process.env[name]]));
    for (const name of PROXY_VARIABLES) delete process.env[name];
    Object.assign(process.env, variables);
    try {
      return await body();
    } finally {
      for (const name of PROXY_VARIABLES) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    }
  }

  it("goes through HTTP_PROXY, and straight past it for hosts in NO_PROXY", async () => {
    const proxy = await startFakeProxy(github.url);
    try {
      // A host that does not resolve: the API is reachable through the proxy only.
      const behindProxy = { ...target, apiUrl: "http://api.github.test" };
      const created = await withEnvironment({ HTTP_PROXY: proxy.url }, () => upsertComment(behindProxy, "through the proxy"));
      expect(created).toMatchObject({ kind: "created" });
      expect(github.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /repos/acme/bot/issues/7/comments?per_page=100", "POST /repos/acme/bot/issues/7/comments"]);
      expect(proxy.connects.length).toBeGreaterThan(0);
      expect(new Set(proxy.connects)).toEqual(new Set(["api.github.test:80"]));

      const direct = await withEnvironment({ HTTP_PROXY: proxy.url, NO_PROXY: "example.com,github.test" }, () => upsertComment(behindProxy, "x"));
      expect(direct.kind).toBe("failed");
      expect((direct as { message: string }).message).toMatch(/ENOTFOUND|EAI_AGAIN/);
      expect(github.requests).toHaveLength(2);
    } finally {
      await proxy.close();
    }
  });
});

describe("comment helpers", () => {
  it("puts the marker first and keeps the body within GitHub's limit", () => {
    expect(commentBody("hello")).toBe(`${COMMENT_MARKER}\nhello`);
    const long = commentBody(`${"row\n".repeat(40_000)}`);
    expect(long.length).toBeLessThanOrEqual(COMMENT_MAX_CHARS);
    expect(long.startsWith(COMMENT_MARKER)).toBe(true);
    expect(long).toContain("The report was cut to fit a comment");
  });

  it("recognises only comments that start with the marker", () => {
    expect(isTunegateComment(`${COMMENT_MARKER}\n## tunegate`)).toBe(true);
    expect(isTunegateComment(`\n  ${COMMENT_MARKER}`)).toBe(true);
    expect(isTunegateComment(`see ${COMMENT_MARKER}`)).toBe(false);
    expect(isTunegateComment(null)).toBe(false);
  });

  it("reads rel=next from Link headers as GitHub writes them", () => {
    const link =
      '<https://api.github.com/repositories/1/issues/2/comments?page=2>; rel="next", <https://api.github.com/repositories/1/issues/2/comments?page=5>; rel="last"';
    expect(nextPageUrl(link)).toBe("https://api.github.com/repositories/1/issues/2/comments?page=2");
    expect(nextPageUrl('<https://x/?page=1>; rel="prev", <https://x/?page=1>; rel="first"')).toBeUndefined();
    expect(nextPageUrl("<https://x/?page=3>; rel=next")).toBe("https://x/?page=3");
    expect(nextPageUrl('<https://x/?page=3>; title="next"; rel="last next"')).toBe("https://x/?page=3");
    expect(nextPageUrl(null)).toBeUndefined();
  });
});
