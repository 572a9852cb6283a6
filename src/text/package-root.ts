// Finds tunegate's own package.json at run time. The same code runs from src/ (tests) and dist/src/ (the
// installed CLI), at different depths, so the root is found by walking up rather than by a fixed relative path.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export function packageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    const candidate = join(dir, "package.json");
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, "utf8")) as { name?: string };
      if (pkg.name === "tunegate") return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`tunegate's package.json was not found above ${from}`);
    dir = parent;
  }
}

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version?: string };
  return pkg.version ?? "0.0.0";
}
