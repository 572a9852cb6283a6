import { describe, expect, it } from "vitest";
import { buildReport } from "../../src/report/build.js";
import { escapeMarkdown, renderMarkdown } from "../../src/report/markdown.js";
import { measuredOn } from "../../src/report/wording.js";
import { smallReport } from "./small-report.js";
import { makeSuiteRun, pairedRun, ROOT, type CaseSpec } from "./suite-run-factory.js";

const link = (file: string, line: number) => `https://example.com/${file}#L${line}`;

const PINNED = `## tunegate: ⚠️ warn

| Suite | Cases | Few-shot | LoRA | Delta, points (95% CI) | McNemar p | Verdict | Gate |
| :-- | --: | --: | --: | :-- | --: | :-- | :-- |
| support | 2 | 50.0% | 100.0% | +50.0 (-27.3 to +90.5) | 1 | \`lora-wins-low-volume\` | ⚠️ warn |

### support

[suites/support.yaml:1](https://example.com/suites/support.yaml#L1) · logprob scoring · 2 cases · measured in-process (node-llama-cpp 3.21.1, cpu, 4 threads per arm)

Gate ⚠️ warn: verdict lora-wins-low-volume and fail\\_on: fine-tune · **Verdict: \`lora-wins-low-volume\`**

> LoRA scored 100.0% and few-shot 50.0% on the same 2 cases: LoRA leads by 50.0 points (95% CI -27.3 to +90.5), at least 15, but at 5,000 calls a day (under the 100,000 threshold) token savings rarely repay the engineering; LoRA would save 0.41 USD/day, repaying the 500.00 USD fine-tune in 1,234.6 days; the interval straddles the -5, +5 and +15-point thresholds, and about 12 cases would settle it.

#### The decision

\`\`\`mermaid
xychart-beta horizontal
  title "LoRA − few-shot, points; lines at -5, +5, +15"
  x-axis ["95% CI lower", "delta", "95% CI upper"]
  y-axis "points" -42 --> 100
  bar [-27.26, 50, 90.55]
  line [-5, -5, -5]
  line [5, 5, 5]
  line [15, 15, 15]
\`\`\`

\`\`\`text
  prompt wins   ship           LoRA wins, low volume
──────┣━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━●━━━━━━━━━━━━━━━━┫────
              -5   +5  +15

few-shot  █████████████████████░░░░░░░░░░░░░░░░░░░░░   50.0%
LoRA      ██████████████████████████████████████████  100.0%
\`\`\`

| Metric | Few-shot | LoRA |
| :-- | --: | --: |
| Accuracy | 50.0% (1/2) | 100.0% (2/2) |
| Majority-class baseline (always \`complaint\`) | 50.0% (1/2) | 50.0% (1/2) |
| Macro-F1 | 0.333 | 1.000 |
| Latency mean / p50 / p95 | 125 / 125 / 130 ms | 41 / 41 / 42 ms |
| Prompt tokens per call | 600 | 60 |
| Output tokens per call | 2 | 2 |
| Tokens evaluated / minimum | 5,000 / 4,000 | 5,000 / 4,000 |

> [!WARNING]
> Few-shot predicted "complaint" for all 2 cases: check the few-shot examples and prompt

**Paired comparison.** LoRA − few-shot = +50.0 points, 95% CI -27.3 to +90.5 (Newcombe paired hybrid score interval). McNemar exact test: few-shot only 0, LoRA only 1, p = 1. The 95% interval (-27.3 to +90.5 points) straddles -5, +5 and +15 points, so the verdict could fall either way; about 12 cases at the observed rates would settle it.

#### Per label

\`\`\`mermaid
xychart-beta horizontal
  title "F1 per label, few-shot then LoRA"
  x-axis ["complaint few-shot", "complaint LoRA", "inquiry few-shot", "inquiry LoRA"]
  y-axis "F1" 0 --> 1
  bar [0.67, 1, 0, 1]
\`\`\`

| Label | Support | Few-shot precision | Few-shot recall | Few-shot F1 | LoRA precision | LoRA recall | LoRA F1 |
| :-- | --: | --: | --: | --: | --: | --: | --: |
| complaint | 1 | 0.500 | 1.000 | 0.667 | 1.000 | 1.000 | 1.000 |
| inquiry | 1 | n/a | 0.000 | 0.000 | 1.000 | 1.000 | 1.000 |

#### Cost (USD)

|  | Few-shot | LoRA |
| :-- | --: | --: |
| Prompt + output tokens per call | 600 + 2 | 60 + 2 |
| Per call | 0.0000912 | 0.0000102 |
| Per day (5,000 calls) | 0.46 | 0.05 |
| Per month (30 days) | 13.68 | 1.53 |

The few-shot arm sends 540 more prompt tokens per call than LoRA. LoRA saves 0.41 USD a day, which repays the 500.00 USD fine-tune in 1,234.6 days.

#### Missed cases (1)

| Case | Input | Expected | Few-shot | LoRA |
| :-- | :-- | :-- | :-- | :-- |
| [suites/support.yaml:23](https://example.com/suites/support.yaml#L23) | What are your opening hours? | inquiry | ❌ complaint | ✅ inquiry |

#### Confusion matrices

**Few-shot** (rows expected, columns predicted)

| expected \\\\ predicted | complaint | inquiry |
| :-- | --: | --: |
| complaint | 1 | 0 |
| inquiry | 1 | 0 |

**LoRA** (rows expected, columns predicted)

| expected \\\\ predicted | complaint | inquiry |
| :-- | --: | --: |
| complaint | 1 | 0 |
| inquiry | 0 | 1 |

<details>
<summary>All 2 cases</summary>

| Case | Input | Expected | Few-shot | LoRA |
| :-- | :-- | :-- | :-- | :-- |
| [suites/support.yaml:20](https://example.com/suites/support.yaml#L20) | The shipment arrived damaged. | complaint | ✅ complaint | ✅ complaint |
| [suites/support.yaml:23](https://example.com/suites/support.yaml#L23) | What are your opening hours? | inquiry | ❌ complaint | ✅ inquiry |

</details>
`;

/** Cells of a Markdown table row, splitting only on unescaped pipes. */
function cells(row: string): string[] {
  return row
    .replace(/^\| /, "")
    .replace(/ \|$/, "")
    .split(/(?<!\\) \| /);
}

describe("renderMarkdown", () => {
  it("renders a small report exactly (pinned)", () => {
    expect(renderMarkdown(smallReport(), { fileLink: link })).toBe(PINNED);
  });

  it("writes locations as plain text without a link function", () => {
    const text = renderMarkdown(smallReport());
    expect(text).toContain("| suites/support.yaml:23 | What are your opening hours? |");
    expect(text).not.toContain("](");
  });

  it("escapes user text so tables, markup and mentions stay inert", () => {
    const run = makeSuiteRun({
      name: "evil | *suite*",
      labels: ["a|b", "c"],
      cases: [
        { input: "pipe | star * under_score <script>alert(1)</script> @octocat `code` [x](y)\nnext line", expected: "a|b", fewShot: "c", lora: "c" },
        { input: "- looks like a list", expected: "c", fewShot: "c", lora: "a|b" },
      ],
    });
    const text = renderMarkdown(buildReport([run], { root: ROOT, now: new Date(0) }), { fileLink: link });
    expect(text).not.toContain("<script>");
    expect(text).toContain("&lt;script&gt;");
    expect(text).not.toMatch(/@octocat/);
    expect(text).toContain("@\u200boctocat");
    expect(text).toContain("### evil \\| \\*suite\\*");
    const missedHeader = text.split("\n").findIndex((line) => line.startsWith("#### Missed cases"));
    const rows = text.split("\n").slice(missedHeader + 2, missedHeader + 6).filter((line) => line.startsWith("|"));
    expect(rows.length).toBeGreaterThanOrEqual(3);
    for (const row of rows) expect(cells(row)).toHaveLength(5);
    expect(text).toContain("\\- looks like a list");
    // Every table row of the document has as many cells as its header.
    const lines = text.split("\n");
    lines.forEach((line, i) => {
      if (/^\| (:--|--:)/.test(line)) {
        const width = cells(line).length;
        expect(cells(lines[i - 1] as string)).toHaveLength(width);
        for (let j = i + 1; j < lines.length && lines[j]!.startsWith("|"); j += 1) expect(cells(lines[j] as string)).toHaveLength(width);
      }
    });
  });

  it("collapses long missed-case lists and cuts tables at maxCaseRows", () => {
    const cases: CaseSpec[] = Array.from({ length: 30 }, (_, i) => ({ input: `case ${i}`, expected: "a", fewShot: "b", lora: i % 2 === 0 ? "a" : "b" }));
    const report = buildReport([makeSuiteRun({ labels: ["a", "b"], cases })], { root: ROOT, now: new Date(0) });
    const text = renderMarkdown(report, { maxCaseRows: 12, collapseAfter: 10 });
    expect(text).toContain("<summary>Missed cases (30)</summary>");
    expect(text).not.toContain("#### Missed cases");
    expect(text).toContain("<summary>All 30 cases</summary>");
    expect(text).toContain("… and 18 more in the JSON report.");
    expect(text.match(/\| suites\/support\.yaml:\d+ \|/g)).toHaveLength(24);
  });

  it("says when both arms got everything right", () => {
    const text = renderMarkdown(buildReport([pairedRun({ both: 4, fewShotOnly: 0, loraOnly: 0, neither: 0 })], { root: ROOT, now: new Date(0) }));
    expect(text).toContain("Both arms got every case right.");
    expect(text).not.toContain("#### Cost");
  });

  it("shows the invalid column and count in generate mode, and collapses big confusion matrices", () => {
    const labels = Array.from({ length: 10 }, (_, i) => `label${i}`);
    const run = makeSuiteRun({
      scoring: "generate",
      labels,
      cases: [{ input: "x", expected: "label0", fewShot: "invalid", lora: "label0" }],
    });
    const text = renderMarkdown(buildReport([run], { root: ROOT, now: new Date(0) }));
    expect(text).toContain("| Invalid outputs | 1 | 0 |");
    expect(text).toContain("<summary>Confusion matrices</summary>");
    expect(text).toMatch(/\| expected \\\\ predicted \| label0 .* \| invalid \|/);
  });

  it("summarises several suites in one table with the overall gate first", () => {
    const report = buildReport(
      [pairedRun({ both: 20, fewShotOnly: 0, loraOnly: 0, neither: 0 }), pairedRun({ both: 10, fewShotOnly: 0, loraOnly: 4, neither: 6 }, { callsPerDay: 100_000 })],
      { root: ROOT, now: new Date(0) },
    );
    const text = renderMarkdown(report);
    expect(text.startsWith("## tunegate: ❌ fail\n")).toBe(true);
    expect(text).toContain("| support | 20 | 100.0% | 100.0% | 0.0 (");
    expect(text).toContain("| `fine-tune` | ❌ fail |");
  });
});

describe("escapeMarkdown", () => {
  it.each([
    ["a|b", "a\\|b"],
    ["*bold* _it_", "\\*bold\\* \\_it\\_"],
    ["<b>&", "&lt;b&gt;&amp;"],
    ["# heading", "\\# heading"],
    ["1. item", "1\\. item"],
    ["+ item", "\\+ item"],
    ["line\nbreak", "line break"],
    ["back\\slash", "back\\\\slash"],
    ["hi @user", "hi @\u200buser"],
    ["plain text, 5.0 points", "plain text, 5.0 points"],
    ["fixes #12", "fixes #\u200b12"],
    ["see acme/repo#3 and GH-4", "see acme/repo#\u200b3 and GH\u200b-4"],
    ["https://evil.example/x", "https:\u200b//evil.example/x"],
    ["go to www.evil.example", "go to www\u200b.evil.example"],
    ["![x](http://t.example/p.png)", "!\\[x\\](http:\u200b//t.example/p.png)"],
  ])("%j → %j", (input, expected) => {
    expect(escapeMarkdown(input)).toBe(expected);
  });

  it("leaves nothing GitHub would turn into a link, an image, a mention, a reference or a fence", () => {
    const hostile = "```\n![pwn](https://x.example/a.png) [click](javascript:alert(1)) <img src=x> @org/team #1 o/r#2 GH-3 www.x.example http://x.example ``` ~~~";
    const inert = escapeMarkdown(hostile);
    expect(inert).not.toMatch(/(?<!\\)[[\]`<>]/);
    expect(inert).not.toMatch(/#\d|GH-\d|:\/\/|www\.|@[a-z]/i);
    expect(inert).not.toContain("\n");
  });
});

describe("measuredOn", () => {
  it("names a server's kind, version and requests in flight, never its URL", () => {
    const engine = { backend: "llama-server b1", threads: 0, arms_in_parallel: false, context_size: 2048, model_load_ms: 0, node_llama_cpp_version: "", kind: "llama-server", url: "http://10.1.2.3:8080/", version: "b6000 (80fb11ac)", concurrency: 1 };
    expect(measuredOn(engine)).toBe("measured on llama-server b6000 (80fb11ac) (1 request in flight)");
    expect(measuredOn({ ...engine, concurrency: 4 })).not.toContain("10.1.2.3");
  });

  it("names node-llama-cpp, the backend and the threads in-process", () => {
    const engine = { backend: "cuda", threads: 2, arms_in_parallel: true, context_size: 512, model_load_ms: 5, node_llama_cpp_version: "3.21.1", kind: "local" };
    expect(measuredOn(engine)).toBe("measured in-process (node-llama-cpp 3.21.1, cuda, 2 threads per arm, arms side by side)");
  });
});
