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
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
