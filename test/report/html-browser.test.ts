/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// (The DOM types are for the callbacks that run in the page; `npm run build` still checks src/ without them.)
// The HTML report as a person sees it: the demo suite run through the CLI (`--html`), opened from disk in
// headless Chromium. No console error, no request beyond the file itself, every chart with the marks the
// report's own numbers call for, the decision zones where the suite's thresholds put them, and a case table
// that filters, sorts and pages. Screenshots land in test-artifacts/.
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import type { Page } from "puppeteer-core";
import { beforeAll, describe, expect, it } from "vitest";
import { buildReport } from "../../src/report/build.js";
import { renderHtml } from "../../src/report/html/render.js";
import type { Report, SuiteReport } from "../../src/report/types.js";
import { ARTIFACTS, CHROMIUM, sharedBrowser } from "../helpers/browser.js";
import { DEMO_SUITE, forgeDemo, temporaryDir } from "../helpers/forged.js";
import { makeSuiteRun, ROOT } from "./suite-run-factory.js";

const exec = promisify(execFile);
const CLI = join(import.meta.dirname, "../../bin/tunegate.js");
const browser = sharedBrowser();
const dir = temporaryDir("tunegate-html-");

interface Opened {
  page: Page;
  errors: string[];
  requests: string[];
  dialogs: string[];
}

/** Opens a file with every request but the file's own refused and recorded, and console errors collected. */
async function open(path: string, options: { dark?: boolean; width?: number } = {}): Promise<Opened> {
  const page = await browser().newPage();
  await page.setViewport({ width: options.width ?? 1200, height: 900 });
  if (options.dark) await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "dark" }]);
  const url = pathToFileURL(path).href;
  const errors: string[] = [];
  const requests: string[] = [];
  const dialogs: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(String(error)));
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.setRequestInterception(true);
  page.on("request", (request) => {
    if (request.url() === url) void request.continue();
    else {
      requests.push(request.url());
      void request.abort();
    }
  });
  await page.goto(url, { waitUntil: "load" });
  return { page, errors, requests, dialogs };
}

/** Rows shown; counted in the page (a $$eval would hand over a handle per row, slow for 10,000). */
async function visibleRows(page: Page, table = "#cases-0"): Promise<number> {
  return page.evaluate((selector) => [...document.querySelectorAll<HTMLTableRowElement>(`${selector} tbody tr`)].filter((row) => !row.hidden).length, table);
}

describe.skipIf(CHROMIUM === undefined)("the demo suite's HTML report in Chromium", () => {
  let report: Report;
  let suite: SuiteReport;
  let html: string;
  let opened: Opened;

  beforeAll(async () => {
    const forged = forgeDemo();
    const yaml = readFileSync(DEMO_SUITE, "utf8").replace("../../.cache/models/demo-base.gguf", forged.base).replace("../../.cache/models/demo-lora.gguf", forged.lora);
    writeFileSync(join(dir, "demo.cases.yaml"), yaml);
    await exec(process.execPath, [CLI, "run", "demo.cases.yaml", "--json", "report.json", "--markdown", "report.md", "--html", "out/report.html"], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: "1", TUNEGATE_THREADS: "1" },
      maxBuffer: 64 << 20,
    });
    report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as Report;
    suite = report.suites[0]!;
    html = join(dir, "out/report.html");
    opened = await open(html);
  });

  it("loads with no console error and no request beyond the file", async () => {
    expect(opened.errors).toEqual([]);
    expect(opened.requests).toEqual([]);
    await opened.page.screenshot({ path: join(ARTIFACTS, "demo-report.png"), fullPage: true });
    const dark = await open(html, { dark: true });
    expect(dark.errors).toEqual([]);
    expect(await dark.page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe("rgb(13, 17, 23)");
    await dark.page.screenshot({ path: join(ARTIFACTS, "demo-report-dark.png"), fullPage: true });
    await dark.page.close();
  });

  it("names every chart for a screen reader: role img, a title and a description", async () => {
    const charts = await opened.page.$$eval("svg.chart", (svgs) =>
      svgs.map((svg) => ({
        role: svg.getAttribute("role"),
        names: (svg.getAttribute("aria-labelledby") ?? "").split(" ").map((id: string) => document.getElementById(id)?.textContent ?? ""),
      })),
    );
    // decision, labels, 3 confusion, 2 latency, cost, 2 arms × (confidence, margin)
    expect(charts).toHaveLength(12);
    for (const chart of charts) {
      expect(chart.role).toBe("img");
      expect(chart.names).toHaveLength(2);
      for (const name of chart.names) expect(name.length).toBeGreaterThan(10);
    }
  });

  it("draws the decision zones at the suite's thresholds and the interval inside the verdict's zone", async () => {
    const { within_points: within, lora_wins_points: loraWins } = suite.thresholds;
    const drawn = await opened.page.$eval('svg[data-chart="decision"]', (svg) => {
      const box = svg.getBoundingClientRect();
      const [lo, hi] = (svg.getAttribute("data-domain") ?? "").split(" ").map(Number) as [number, number];
      const [r0, r1] = (svg.getAttribute("data-range") ?? "").split(" ").map(Number) as [number, number];
      const scale = box.width / svg.viewBox.baseVal.width;
      const screenX = (points: number) => box.left + (r0 + ((points - lo) / (hi - lo)) * (r1 - r0)) * scale;
      const zones = [...svg.querySelectorAll("rect.zone")].map((rect) => {
        const r = rect.getBoundingClientRect();
        return { zone: rect.getAttribute("data-zone"), current: rect.classList.contains("current"), left: r.left, right: r.right };
      });
      const thresholds = [...svg.querySelectorAll("line.threshold")].map((line) => ({ value: Number(line.getAttribute("data-threshold")), x: line.getBoundingClientRect().left + line.getBoundingClientRect().width / 2 }));
      const dot = svg.querySelector("g.ci:not(.baseline) circle.delta")!.getBoundingClientRect();
      const ci = svg.querySelector("g.ci:not(.baseline) line.ci-line")!.getBoundingClientRect();
      const at = (p: number) => screenX(p);
      return { zones, thresholds, dot: dot.left + dot.width / 2, ciLeft: ci.left, ciRight: ci.right, expected: { minusWithin: at(-0), lo, hi }, screen: [box.left, box.width, r0, r1, scale] as const };
    });
    const [left, , r0, r1, scale] = drawn.screen;
    const x = (points: number) => left + (r0 + ((points - drawn.expected.lo) / (drawn.expected.hi - drawn.expected.lo)) * (r1 - r0)) * scale;
    const zone = (name: string) => drawn.zones.find((z) => z.zone === name)!;
    expect(drawn.zones.map((z) => z.zone)).toEqual(["prompt-wins", "ship-prompt", "gray-zone", suite.calls_per_day >= suite.thresholds.volume_threshold ? "fine-tune" : "lora-wins-low-volume"]);
    expect(zone("ship-prompt").left).toBeCloseTo(x(-within), 0);
    expect(zone("ship-prompt").right).toBeCloseTo(x(within), 0);
    expect(zone("gray-zone").left).toBeCloseTo(x(within), 0);
    expect(zone("gray-zone").right).toBeCloseTo(x(loraWins), 0);
    expect(zone("prompt-wins").right).toBeCloseTo(x(-within), 0);
    expect(drawn.thresholds.map((t) => t.value)).toEqual([-within, within, loraWins]);
    for (const t of drawn.thresholds) expect(t.x).toBeCloseTo(x(t.value), 0);
    expect(drawn.dot).toBeCloseTo(x(suite.delta_points), 0);
    expect(drawn.ciLeft).toBeCloseTo(x(suite.delta_ci95[0]), 0);
    expect(drawn.ciRight).toBeCloseTo(x(suite.delta_ci95[1]), 0);
    const current = drawn.zones.filter((z) => z.current);
    expect(current.map((z) => z.zone)).toEqual([suite.verdict]);
    expect(drawn.dot).toBeGreaterThanOrEqual(current[0]!.left);
    expect(drawn.dot).toBeLessThanOrEqual(current[0]!.right);
  });

  it("draws one bar per label, metric and arm that has a value, with the report's values", async () => {
    const bars = await opened.page.$$eval('svg[data-chart="labels"] rect.bar', (rects) =>
      rects.map((r) => ({ arm: r.getAttribute("data-arm"), metric: r.getAttribute("data-metric"), label: r.getAttribute("data-label"), value: Number(r.getAttribute("data-value")), width: r.getBoundingClientRect().width })),
    );
    const expected = (["few_shot", "lora"] as const).flatMap((arm) =>
      suite.arms[arm].per_label.flatMap((row) => (["precision", "recall", "f1"] as const).filter((m) => row[m] !== null).map((metric) => ({ arm, metric, label: row.label, value: row[metric]! }))),
    );
    expect(bars).toHaveLength(expected.length);
    expect(expected.length).toBeGreaterThanOrEqual(suite.labels.length * 5);
    for (const e of expected) {
      const bar = bars.find((b) => b.arm === e.arm && b.metric === e.metric && b.label === e.label)!;
      expect(bar.value).toBeCloseTo(e.value, 2);
    }
    // Widths are proportional to the values.
    const full = bars.filter((b) => b.value === 1);
    const half = bars.find((b) => b.value > 0.3 && b.value < 0.7);
    if (full.length > 0 && half) expect(half.width / full[0]!.width).toBeCloseTo(half.value, 1);
  });

  it("draws both confusion matrices and their difference cell by cell", async () => {
    const maps = await opened.page.$$eval('svg[data-chart="confusion"]', (svgs) => svgs.map((svg) => [...svg.querySelectorAll("rect.cell")].map((r) => Number(r.getAttribute("data-count")))));
    expect(maps).toHaveLength(3);
    const fewShot = suite.arms.few_shot.confusion.counts.flat();
    const lora = suite.arms.lora.confusion.counts.flat();
    expect(maps[0]).toEqual(fewShot);
    expect(maps[1]).toEqual(lora);
    expect(maps[2]).toEqual(lora.map((count, i) => count - fewShot[i]!));
  });

  it("draws each arm's latency in 20 bins with the cold first case apart, and p50/p95 at the report's values", async () => {
    const charts = await opened.page.$$eval('svg[data-chart="latency"]', (svgs) =>
      svgs.map((svg) => ({
        arm: svg.getAttribute("data-arm"),
        counts: [...svg.querySelectorAll("rect.bar")].map((r) => Number(r.getAttribute("data-count"))),
        cold: Number(svg.querySelector("circle.cold")?.getAttribute("data-value")),
        p50: svg.querySelector("line.p50")?.getAttribute("data-value"),
      })),
    );
    expect(charts.map((c) => c.arm)).toEqual(["few_shot", "lora"]);
    for (const chart of charts) {
      const arm = chart.arm as "few_shot" | "lora";
      expect(chart.counts).toHaveLength(20);
      expect(chart.counts.reduce((a, b) => a + b, 0)).toBe(suite.cases.length - 1);
      expect(chart.cold).toBeCloseTo(suite.cases[0]![arm].latency_ms, 1);
      expect(Number(chart.p50)).toBeCloseTo(suite.arms[arm].latency_ms.p50, 1);
    }
  });

  it("draws the cumulative cost of both arms and marks the break-even day", async () => {
    const cost = suite.cost!;
    const drawn = await opened.page.$eval('svg[data-chart="cost"]', (svg) => ({
      lines: [...svg.querySelectorAll("line.cost-line")].map((l) => l.getAttribute("data-arm")),
      breakEven: svg.querySelector("line.break-even")?.getAttribute("data-day"),
    }));
    expect(drawn.lines).toEqual(["few_shot", "lora"]);
    expect(cost.break_even_days).not.toBeNull();
    expect(Number(drawn.breakEven)).toBeCloseTo(cost.break_even_days!, 1);
  });

  it("splits each arm's confidence and margin into correct and wrong cases", async () => {
    const charts = await opened.page.$$eval('svg[data-chart="confidence"], svg[data-chart="margin"]', (svgs) =>
      svgs.map((svg) => ({
        kind: svg.getAttribute("data-chart"),
        arm: svg.getAttribute("data-arm"),
        correct: [...svg.querySelectorAll("rect.bar.correct")].map((r) => Number(r.getAttribute("data-count"))),
        wrong: [...svg.querySelectorAll("rect.bar.wrong")].map((r) => Number(r.getAttribute("data-count"))),
      })),
    );
    expect(charts).toHaveLength(4);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    for (const chart of charts) {
      const arm = chart.arm as "few_shot" | "lora";
      expect(chart.correct).toHaveLength(10);
      expect(sum(chart.correct)).toBe(suite.arms[arm].correct);
      expect(sum(chart.wrong)).toBe(suite.arms[arm].total - suite.arms[arm].correct);
    }
  });

  it("filters the case table by misses, disagreements, must cases, label and text, and sorts it", async () => {
    const { page } = opened;
    const n = suite.cases.length;
    expect(await visibleRows(page)).toBe(n);
    const misses = suite.cases.filter((c) => !c.few_shot.correct || !c.lora.correct).length;
    await page.select("[data-filter=kind]", "miss");
    expect(await visibleRows(page)).toBe(misses);
    expect(await page.$eval("[data-status]", (s) => s.textContent)).toContain(`of ${misses} matching`);
    await page.select("[data-filter=kind]", "disagree");
    expect(await visibleRows(page)).toBe(suite.cases.filter((c) => c.few_shot.predicted !== c.lora.predicted).length);
    await page.select("[data-filter=kind]", "must");
    expect(await visibleRows(page)).toBe(suite.cases.filter((c) => c.must).length);
    await page.select("[data-filter=kind]", "all");
    await page.select("[data-filter=label]", "praise");
    expect(await visibleRows(page)).toBe(suite.cases.filter((c) => c.expected === "praise").length);
    await page.select("[data-filter=label]", "");
    await page.type("[data-filter=text]", "cancel my");
    expect(await visibleRows(page)).toBe(suite.cases.filter((c) => c.input.toLowerCase().includes("cancel my")).length);
    await page.$eval("[data-filter=text]", (input) => {
      (input as HTMLInputElement).value = "";
      input.dispatchEvent(new Event("input"));
    });
    expect(await visibleRows(page)).toBe(n);
    // Sort by the few-shot margin, then check the order of the visible cells.
    await page.click("#cases-0 thead th:nth-child(7) button");
    const margins = await page.$$eval("#cases-0 tbody tr", (rows) => rows.map((row) => Number(row.cells[6]!.getAttribute("data-sort"))));
    expect(margins).toEqual([...margins].sort((a, b) => a - b));
    expect(await page.$eval("#cases-0 thead th:nth-child(7)", (th) => th.getAttribute("aria-sort"))).toBe("ascending");
    // Each row links back to its YAML line.
    const href = await page.$eval("#cases-0 tbody tr a", (a) => a.getAttribute("href"));
    expect(href).toMatch(/^\.\.\/demo\.cases\.yaml#L\d+$/);
  });

  it("has Markdown whose Mermaid charts the mermaid package renders, with a bar per value and a line per threshold", async () => {
    const markdown = readFileSync(join(dir, "report.md"), "utf8");
    const blocks = [...markdown.matchAll(/^```mermaid\n([\s\S]*?)\n```$/gm)].map((m) => m[1]!);
    expect(blocks).toHaveLength(2);
    const rendered = await renderMermaid(blocks);
    expect(rendered.errors).toEqual([]);
    expect(rendered.requests).toEqual([]);
    const [decision, labels] = rendered.charts;
    expect(decision).toEqual({ bars: 3, lines: 3, texts: expect.arrayContaining(["95% CI lower", "delta", "95% CI upper"]) as unknown });
    expect(labels!.bars).toBe(suite.labels.length * 2);
    expect(labels!.texts).toEqual(expect.arrayContaining(suite.labels.map((label) => `${label} few-shot`)));
  });
});

/** Renders Mermaid sources with the mermaid package's own bundle in a blank page; per chart, its bars, lines and texts. */
async function renderMermaid(sources: readonly string[]): Promise<{ charts: Array<{ bars: number; lines: number; texts: string[] }>; errors: string[]; requests: string[] }> {
  const page = await browser().newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(String(error)));
  await page.setRequestInterception(true);
  page.on("request", (request) => {
    if (request.url() === "about:blank") void request.continue();
    else {
      requests.push(request.url());
      void request.abort();
    }
  });
  await page.goto("about:blank");
  await page.addScriptTag({ path: join(import.meta.dirname, "../../node_modules/mermaid/dist/mermaid.min.js") });
  const charts = await page.evaluate(async (codes) => {
    const mermaid = (globalThis as unknown as { mermaid: { initialize: (c: object) => void; render: (id: string, code: string) => Promise<{ svg: string }> } }).mermaid;
    mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });
    const out = [];
    for (const [i, code] of codes.entries()) {
      const { svg } = await mermaid.render(`chart${i}`, code);
      const holder = document.createElement("div");
      holder.innerHTML = svg;
      document.body.appendChild(holder);
      out.push({
        bars: holder.querySelectorAll("g.bar-plot-0 rect").length,
        lines: holder.querySelectorAll("g[class^=line-plot] path").length,
        texts: [...holder.querySelectorAll("text")].map((t) => t.textContent ?? ""),
      });
    }
    return out;
  }, sources);
  await page.screenshot({ path: join(ARTIFACTS, "mermaid.png"), fullPage: true });
  await page.close();
  return { charts, errors, requests };
}

describe.skipIf(CHROMIUM === undefined)("HTML reports that are large or hostile, in Chromium", () => {
  it("pages a 10,000-case suite 100 rows at a time", async () => {
    const labels = ["a", "b", "c", "d"];
    const cases = Array.from({ length: 10_000 }, (_, i) => ({
      input: `case number ${i}`,
      expected: labels[i % 4]!,
      fewShot: { predicted: labels[(i * 7) % 11 === 0 ? (i + 1) % 4 : i % 4]!, latencyMs: 10 + (i % 37) },
      lora: { predicted: labels[i % 13 === 0 ? (i + 2) % 4 : i % 4]!, latencyMs: 5 + (i % 11) },
    }));
    const report = buildReport([makeSuiteRun({ name: "big", labels, cases })], { root: ROOT, now: new Date("2025-01-01T00:00:00Z") });
    const path = join(dir, "big.html");
    writeFileSync(path, renderHtml(report));
    const started = performance.now();
    const { page, errors, requests } = await open(path);
    const loadMs = performance.now() - started;
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    expect(await visibleRows(page)).toBe(100);
    expect(await page.$eval("[data-status]", (s) => s.textContent)).toContain("page 1 of 100");
    await page.click("[data-page=next]");
    const first = await page.evaluate(() => [...document.querySelectorAll<HTMLTableRowElement>("#cases-0 tbody tr")].find((row) => !row.hidden)?.cells[0]?.textContent);
    expect(first).toBe("101");
    console.log(`10,000-case report: ${(readFileSync(path).length / 1e6).toFixed(1)} MB, opened in ${loadMs.toFixed(0)} ms`);
    await page.close();
  });

  it("shows hostile suite names, labels and inputs as text: no script runs, no element is injected", async () => {
    const evil = `<img src=x onerror="alert(1)"></script><script>alert(2)</script>`;
    const report = buildReport(
      [
        makeSuiteRun({
          name: `suite ${evil}`,
          file: `suites/javascript:alert(3).yaml`,
          labels: [`"><svg onload=alert(4)>`, "ok"],
          cases: [
            { input: `${evil} & "quotes" 'single'`, expected: `"><svg onload=alert(4)>`, fewShot: "ok", lora: `"><svg onload=alert(4)>` },
            { input: "fine", expected: "ok", fewShot: "ok", lora: "ok" },
          ],
        }),
      ],
      { root: ROOT, now: new Date("2025-01-01T00:00:00Z") },
    );
    const path = join(dir, "hostile.html");
    writeFileSync(path, renderHtml(report));
    const { page, errors, requests, dialogs } = await open(path);
    expect(dialogs).toEqual([]);
    expect(requests).toEqual([]);
    expect(errors).toEqual([]);
    expect(await page.$$eval("script", (s) => s.length)).toBe(1);
    expect(await page.$$eval("img", (s) => s.length)).toBe(0);
    expect(await page.$$eval("svg:not(.chart)", (s) => s.length)).toBe(0);
    expect(await page.$eval("h2", (h) => h.textContent)).toBe(`suite ${evil}`);
    const hrefs = await page.$$eval("a[href]", (links) => links.map((a) => (a as HTMLAnchorElement).protocol));
    expect(hrefs.every((protocol) => protocol === "file:")).toBe(true);
    await page.close();
  });
});
