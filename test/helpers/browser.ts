// Headless Chromium for the tests that look at a report as a person would: the Debian package's binary
// (or TUNEGATE_CHROMIUM), driven by puppeteer-core, which downloads no browser. One browser per test file.
// Outside CI a machine without Chromium skips those tests, saying so; under CI=true they fail instead.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "puppeteer-core";
import { afterAll, beforeAll, it } from "vitest";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

export const CHROMIUM: string | undefined = [process.env.TUNEGATE_CHROMIUM, ...CANDIDATES].find((path): path is string => path !== undefined && path !== "" && existsSync(path));

const IN_CI = process.env.CI !== undefined && process.env.CI !== "" && process.env.CI !== "false" && process.env.CI !== "0";

/** Screenshots and other things a person may want to look at after a run; gitignored. */
export const ARTIFACTS = join(import.meta.dirname, "../../test-artifacts");

/**
 * Registers the file's browser: launched once before its tests, closed after. Without Chromium, in CI a test
 * fails with how to install it; elsewhere a line says the browser tests were skipped.
 */
export function sharedBrowser(): () => Browser {
  let browser: Browser | undefined;
  if (CHROMIUM === undefined) {
    if (IN_CI) {
      it("has Chromium for the browser tests", () => {
        throw new Error(`No Chromium at ${CANDIDATES.join(", ")} (or TUNEGATE_CHROMIUM): install it with \`apt-get install -y chromium\` (.ci/run does so when it runs as root)`);
      });
    } else {
      console.warn("browser tests skipped: no Chromium (apt-get install -y chromium, or set TUNEGATE_CHROMIUM)");
    }
  }
  beforeAll(async () => {
    if (CHROMIUM === undefined) return;
    mkdirSync(ARTIFACTS, { recursive: true });
    const { launch } = await import("puppeteer-core");
    // --no-sandbox: Chromium's sandbox needs user namespaces a container running as root does not give.
    browser = await launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error("the browser is not running");
    return browser;
  };
}
