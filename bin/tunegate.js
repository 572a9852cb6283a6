#!/usr/bin/env node
// Thin launcher: the CLI lives in the compiled library so the checkout and the installed package run the same code.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const entry = new URL("../dist/src/cli/main.js", import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error("tunegate: the compiled CLI is missing (dist/src/cli/main.js). Run `npm run build` in the tunegate checkout.");
  process.exit(2);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
