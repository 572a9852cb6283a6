// A stand-in for the part of GitHub's REST API the PR comment uses, on 127.0.0.1 at an ephemeral port:
// list an issue's comments (paginated with Link headers, as GitHub does), create one, edit one. It keeps the
// comments and every request so tests can check what the Action did. And a stand-in for a runner's HTTP
// proxy, which tunnels every CONNECT to that API whatever host it names.
import { createServer, type IncomingMessage, type Server } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";

export interface StoredComment {
  id: number;
  body: string;
  html_url: string;
  user: { login: string; type: string };
}

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
}

export interface FakeGitHub {
  url: string;
  /** Comments by "owner/repo#number". */
  comments: Map<string, StoredComment[]>;
  requests: RecordedRequest[];
  /** Comments per page when the client asks for more (GitHub's own maximum is 100). */
  pageSize: number;
  /** Answer every request with 403, as for a fork's read-only token... */
  forbidden: boolean;
  /** ...or only the writes (POST, PATCH). */
  forbidWrites: boolean;
  /** A Link header pointing at another origin, to check the token is not sent there. */
  foreignNextLink: string | undefined;
  /** Answer every request with a 302 to this URL. */
  redirectTo: string | undefined;
  /** The token's account, as GraphQL's `viewer { login }` names it. */
  viewer: string;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text === "" ? undefined : JSON.parse(text);
}

export async function startFakeGitHub(): Promise<FakeGitHub> {
  let nextId = 1000;
  const state: Omit<FakeGitHub, "url" | "close"> = {
    comments: new Map(),
    requests: [],
    pageSize: 100,
    forbidden: false,
    forbidWrites: false,
    foreignNextLink: undefined,
    redirectTo: undefined,
    viewer: "github-actions[bot]",
  };
  const server: Server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? "/", `http://${request.headers.host}`);
      const body = await readBody(request);
      state.requests.push({ method: request.method ?? "", path: url.pathname + url.search, authorization: request.headers.authorization, body });
      const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        response.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
        response.end(JSON.stringify(payload));
      };
      if (state.redirectTo !== undefined) {
        response.writeHead(302, { location: state.redirectTo });
        response.end();
        return;
      }
      const isWrite = request.method === "POST" || request.method === "PATCH";
      if (state.forbidden || (state.forbidWrites && isWrite)) {
        send(403, { message: "Resource not accessible by integration", documentation_url: "https://docs.github.com/rest" }, { "x-ratelimit-remaining": "4999" });
        return;
      }
      if (url.pathname === "/graphql" && request.method === "POST") {
        const query = (body as { query?: string } | undefined)?.query ?? "";
        if (!/viewer\s*\{\s*login\s*\}/.test(query)) return send(200, { errors: [{ message: "this stand-in answers only viewer { login }" }] });
        return send(200, { data: { viewer: { login: state.viewer } } });
      }
      const list = /^\/repos\/([^/]+\/[^/]+)\/issues\/(\d+)\/comments$/.exec(url.pathname);
      const edit = /^\/repos\/([^/]+\/[^/]+)\/issues\/comments\/(\d+)$/.exec(url.pathname);
      if (list && request.method === "GET") {
        const all = state.comments.get(`${list[1]}#${list[2]}`) ?? [];
        const perPage = Math.min(Number(url.searchParams.get("per_page") ?? 30), state.pageSize);
        const page = Number(url.searchParams.get("page") ?? 1);
        const last = Math.max(1, Math.ceil(all.length / perPage));
        const links: string[] = [];
        const pageUrl = (n: number) => `${`http://${request.headers.host}`}${url.pathname}?per_page=${perPage}&page=${n}`;
        if (page < last) links.push(`<${state.foreignNextLink ?? pageUrl(page + 1)}>; rel="next"`, `<${pageUrl(last)}>; rel="last"`);
        send(200, all.slice((page - 1) * perPage, page * perPage), links.length > 0 ? { link: links.join(", ") } : {});
        return;
      }
      if (list && request.method === "POST") {
        const key = `${list[1]}#${list[2]}`;
        const comment: StoredComment = {
          id: nextId++,
          body: (body as { body: string }).body,
          html_url: `https://github.com/${list[1]}/pull/${list[2]}#issuecomment-${nextId}`,
          user: { login: "github-actions[bot]", type: "Bot" },
        };
        state.comments.set(key, [...(state.comments.get(key) ?? []), comment]);
        send(201, comment);
        return;
      }
      if (edit && request.method === "PATCH") {
        const comment = [...state.comments.values()].flat().find((c) => c.id === Number(edit[2]));
        if (!comment) return send(404, { message: "Not Found" });
        comment.body = (body as { body: string }).body;
        send(200, comment);
        return;
      }
      send(404, { message: "Not Found" });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const fake = state as FakeGitHub;
  fake.url = `http://127.0.0.1:${port}`;
  fake.close = () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  return fake;
}

/** `count` ordinary comments by people, for pagination. */
export function chatter(count: number, startId = 1): StoredComment[] {
  return Array.from({ length: count }, (_, i) => ({
    id: startId + i,
    body: `Looks good ${i}`,
    html_url: `https://github.com/o/r/pull/1#issuecomment-${startId + i}`,
    user: { login: "reviewer", type: "User" },
  }));
}

export interface FakeProxy {
  url: string;
  /** The `host:port` of every CONNECT, in order. */
  connects: string[];
  close(): Promise<void>;
}

/** An HTTP proxy on 127.0.0.1 whose tunnels all lead to `upstream`, so a made-up host is reachable through it only. */
export async function startFakeProxy(upstream: string): Promise<FakeProxy> {
  const target = new URL(upstream);
  const connects: string[] = [];
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
  };
  const server = createServer((_request, response) => {
    response.writeHead(405);
    response.end();
  });
  server.on("connect", (request: IncomingMessage, client: Socket, head: Buffer) => {
    connects.push(request.url ?? "");
    track(client);
    const tunnel = connect(Number(target.port), target.hostname, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) tunnel.write(head);
      tunnel.pipe(client);
      client.pipe(tunnel);
    });
    track(tunnel);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connects,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
