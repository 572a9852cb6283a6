// A real llama-server for tests: the binary tools/build-llama-server.sh builds (CI exports its path as
// TUNEGATE_LLAMA_SERVER), started on 127.0.0.1 on a free port in its own process group, killed with that
// group when the test file ends. Under CI=true a missing binary fails the tests that need it.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { createServer } from "node:net";
import { homedir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

/** The llama-server binary: TUNEGATE_LLAMA_SERVER, else the newest one the build script cached here. */
export function findLlamaServer(): string | undefined {
  const given = process.env.TUNEGATE_LLAMA_SERVER;
  if (given) return existsSync(given) ? given : undefined;
  const root = join(process.env.TUNEGATE_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "tunegate"), "llama-server");
  if (!existsSync(root)) return undefined;
  return readdirSync(root)
    .map((key) => join(root, key, "llama-server"))
    .find((path) => existsSync(path));
}

export const LLAMA_SERVER = findLlamaServer();
if (!LLAMA_SERVER) {
  const message = "llama-server is not built: run `bash tools/build-llama-server.sh` and export TUNEGATE_LLAMA_SERVER=<the path it prints>";
  if (process.env.CI === "true") throw new Error(message);
  console.warn(`skipped: ${message}`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const port = (probe.address() as { port: number }).port;
      probe.close(() => resolve(port));
    });
  });
}

export interface RunningServer {
  url: string;
  process: ChildProcess;
  /** What the server printed, for a failing test's message. */
  log: () => string;
  /** Kills the server's whole process group and waits for it to exit. */
  stop: () => Promise<void>;
}

const running = new Set<RunningServer>();
afterAll(async () => {
  await Promise.all([...running].map((server) => server.stop()));
});

/** Starts llama-server with these arguments (besides host and port) and waits until /health answers 200. */
export async function startLlamaServer(args: string[], timeoutMs = 60_000): Promise<RunningServer> {
  if (!LLAMA_SERVER) throw new Error("llama-server is not built");
  const port = await freePort();
  const child = spawn(LLAMA_SERVER, [...args, "--host", "127.0.0.1", "--port", String(port), "--threads", "1"], {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const server: RunningServer = {
    url: `http://127.0.0.1:${port}`,
    process: child,
    log: () => output,
    stop: async () => {
      running.delete(server);
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // already gone
        }
      }
      await exited;
    },
  };
  running.add(server);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`llama-server exited with ${child.exitCode}:\n${output}`);
    try {
      const response = await fetch(`${server.url}/health`);
      if (response.status === 200) return server;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await server.stop();
  throw new Error(`llama-server did not become healthy in ${timeoutMs} ms:\n${output}`);
}
