#!/usr/bin/env node
// Thin launcher: the CLI lives in the compiled library so the checkout and the installed package run the same code.
// The published package carries dist/ (built by `prepack`). A checkout has no dist/ until it is built: there the
// launcher transpiles src/ once with esbuild (`npm run build:action`, a production dependency, under a second),
// so `npx tunegate` works right after `npm ci` in a fresh clone; no install script is needed for it.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const entry = new URL("../dist/src/cli/main.js", import.meta.url);
const root = fileURLToPath(new URL("..", import.meta.url));
if (!existsSync(fileURLToPath(entry)) && existsSync(fileURLToPath(new URL("../src/cli/main.ts", import.meta.url)))) {
  console.error("tunegate: first run in this checkout: building dist/ from src/ (npm run build:action)");
  const npm = process.env.npm_execpath;
  const built = npm && npm.endsWith(".js")
    ? spawnSync(process.execPath, [npm, "run", "--silent", "build:action"], { cwd: root, stdio: ["ignore", "ignore", "inherit"] })
    : spawnSync(process.platform === "win32" ? "npm.cmd" : "npm", ["run", "--silent", "build:action"], { cwd: root, stdio: ["ignore", "ignore", "inherit"], shell: process.platform === "win32" });
  if (built.status !== 0) console.error("tunegate: the build failed; run `npm run build` in the tunegate checkout to see why.");
}
if (!existsSync(fileURLToPath(entry))) {
  console.error("tunegate: the compiled CLI is missing (dist/src/cli/main.js). Run `npm run build` in the tunegate checkout.");
  process.exit(2);
}

// `tunegate run` evaluates in this process. node-llama-cpp runs every decode on a libuv pool thread, and the
// engine runs the two arms side by side, so the pool gets one thread per arm (src/run/process-environment.ts).
// libuv reads UV_THREADPOOL_SIZE when its pool starts, which for an ES module entry is before this line: so a
// run starts itself again with the variable set, once. An explicit UV_THREADPOOL_SIZE is left as it is.
// (`tunegate action` does the same for the worker process it already starts.) The restart also raises the
// heap limit for large suites (src/run/heap-limit.ts).
if (process.argv[2] === "run" && process.env.TUNEGATE_RUN_PROCESS === undefined) {
  const { spawn } = await import("node:child_process");
  const { totalmem } = await import("node:os");
  const { runProcessEnvironment } = await import(new URL("../dist/src/run/process-environment.js", import.meta.url).href);
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: "inherit",
    env: runProcessEnvironment({ ...process.env, TUNEGATE_RUN_PROCESS: "1" }, totalmem()),
  });
  const forward = (signal) => child.kill(signal);
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const signal of signals) process.on(signal, forward);
  child.on("error", (error) => {
    console.error(`tunegate: could not start the run process: ${error.message}`);
    process.exit(1);
  });
  child.on("exit", (code, signal) => {
    for (const name of signals) process.off(name, forward);
    // End as the run ended: by the same signal (so a CI cancellation reads as one), or with its exit code.
    if (signal !== null) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
} else {
  const { main } = await import(entry.href);
  process.exitCode = await main(process.argv.slice(2));
}
