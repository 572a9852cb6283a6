// `require("tunegate")` lands here: tunegate's API is ES modules only (node-llama-cpp, which it loads, has a
// top-level await, which require() cannot load). Say so, and how to import it, instead of Node's stack.
"use strict";
const error = new Error(
  'tunegate\'s API is ESM-only: require("tunegate") cannot load it. Use `import { loadSuite, createLocalEngine } from "tunegate"` ' +
    'in an ES module (a .mjs file, or "type": "module" in package.json), or `const tunegate = await import("tunegate")` ' +
    'from CommonJS. In a CommonJS vitest.config, require("tunegate/vitest") works.',
);
error.code = "TUNEGATE_ESM_ONLY";
throw error;
