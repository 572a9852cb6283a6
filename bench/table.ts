// The printed report: the same figures as results.json, laid out for a terminal.
import type { GenerationAgreement, ScoringAgreement } from "./agreement.js";
import { DISTURBED_LOAD_CORES } from "./machine.js";
import type { BenchResults } from "./results.js";
import type { MethodName } from "./tasks.js";

const METHOD_NAMES: readonly MethodName[] = ["baseline", "tunegate", "tunegate-generate"];

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const count = (n: number) => Math.round(n).toLocaleString("en-US");
const percent = (x: number) => `${(x * 100).toFixed(0)} %`;

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ").trimEnd());
}

function generationLine(a: GenerationAgreement): string {
  return `${a.same_prediction}/${a.cases} same label, ${a.same_output_start}/${a.cases} same output${a.exact ? " (exact)" : " — NOT EXACT"}`;
}

function scoringLine(a: ScoringAgreement): string {
  const labelled =
    a.rate_when_baseline_labelled === null
      ? "the baseline never answered with a label"
      : `where the baseline answered with a label (${a.baseline_labelled} cases): ${a.same_prediction_when_baseline_labelled}/${a.baseline_labelled}`;
  return `${a.same_prediction}/${a.cases} same label (${percent(a.rate)}); ${labelled}`;
}

export function formatResults(r: BenchResults): string {
  const m = r.machine;
  const out: string[] = [];
  out.push(`tunegate benchmark: ${r.settings.headline_cases} cases x 2 arms; medians of ${r.settings.repeats} run(s)`);
  out.push(`machine: ${m.cpu_model}, ${m.cores} cores, ${mib(m.memory_bytes)}, ${m.os}, node ${m.node_version}, node-llama-cpp ${m.node_llama_cpp_version}, backend ${m.backend}`);
  const e = r.settings.engine;
  out.push(`engine: ${e.threads_per_arm} thread(s) per arm, arms ${e.arms_in_parallel ? "side by side" : "one after the other"} (its own choices for this model and machine)`);
  out.push("");

  const rows = [["method", "wall", "vs baseline", "model load", "loads", "tokens", "tokens/s", "peak RSS", "other load"]];
  for (const name of METHOD_NAMES) {
    const f = r.methods[name];
    rows.push([
      name,
      seconds(f.wall_ms),
      `${(r.methods.baseline.wall_ms / f.wall_ms).toFixed(1)}x`,
      `${count(f.model_load_ms)} ms`,
      String(f.model_loads),
      count(f.tokens_evaluated),
      count(f.tokens_per_second),
      mib(f.peak_rss_bytes),
      f.other_load_cores === null ? "n/a" : f.other_load_cores.toFixed(2),
    ]);
  }
  out.push(...table(rows));
  out.push(`theoretical minimum (every distinct token prefix once): ${count(r.tokens_minimum)} tokens`);
  out.push(`per arm, few-shot / LoRA: ${METHOD_NAMES.map((n) => `${n} ${seconds(r.methods[n].arm_wall_ms.few_shot)} / ${seconds(r.methods[n].arm_wall_ms.lora)}`).join(", ")}`);
  out.push(`other load: cores' worth of CPU other processes used during the most disturbed run; above ${DISTURBED_LOAD_CORES} the timing is disturbed`);
  out.push("");

  out.push("agreement with the baseline, both arms:");
  out.push(`  tunegate-generate: ${generationLine(r.agreement.tunegate_generate_vs_baseline)}`);
  out.push(`  tunegate (logprob): ${scoringLine(r.agreement.tunegate_vs_baseline)}`);
  const c = r.agreement.classifier;
  if (c) {
    out.push(`  on the demo classifier (a model that does answer with labels):`);
    out.push(`    tunegate-generate: ${generationLine(c.tunegate_generate_vs_baseline)}`);
    out.push(`    tunegate (logprob): ${scoringLine(c.tunegate_vs_baseline)}`);
    const acc = METHOD_NAMES.map((n) => `${n} ${percent(c.accuracy[n].few_shot)} / ${percent(c.accuracy[n].lora)}`).join(", ");
    out.push(`    accuracy few-shot / LoRA: ${acc}`);
  }
  out.push("");

  const l = r.limit;
  out.push(`limit: raw prompt processing of ${count(l.tokens)} tokens (tokens/s)`);
  const replayed = l.by_threads.some((b) => b.replay !== null);
  const limitRows = [
    ["  threads", "one long batch", "long batch + adapter", `whole prompts (~${count(l.prompt_batch_tokens)} tokens)`, ...(replayed ? ["engine's calls, evaluation only", "+ distribution", "readout per case"] : [])],
  ];
  for (const b of l.by_threads) {
    limitRows.push([
      `  ${b.threads}`,
      count(b.long_batch_tokens_per_second),
      count(b.long_batch_with_adapter_tokens_per_second),
      count(b.prompt_batches_tokens_per_second),
      ...(b.replay ? [count(b.replay.without_readout_tokens_per_second), count(b.replay.with_readout_tokens_per_second), `${b.replay.readout_ms_per_case.toFixed(1)} ms`] : []),
    ]);
  }
  out.push(...table(limitRows));
  out.push(`  tunegate as shipped: ${count(l.tunegate_tokens_per_second)} tokens/s over its arms' span = ${percent(r.throughput_fraction_of_limit)} of the best limit (${count(l.limit_tokens_per_second)})`);
  out.push(
    `  beside it, the adapter-aware limit (LoRA arm's tokens at the speed with its adapter): ${count(l.adapter_aware_limit_tokens_per_second)} tokens/s, of which tunegate reaches ${percent(r.throughput_fraction_of_adapter_aware_limit)}`,
  );
  if (replayed) out.push(`  engine's calls: the few-shot arm's prefix once, then one call per case with its own tokens (${l.by_threads.find((b) => b.replay)!.replay!.calls} calls)`);
  out.push("");

  out.push("settings (wall time end to end; * = the method left to its own choices):");
  const settingRows = [["  method", "threads", "arms", "cases", "wall", "per case", "arms tokens/s", "of limit", "other load"]];
  for (const t of r.threads) {
    settingRows.push([
      `  ${t.method}${t.as_shipped ? " *" : ""}`,
      `${t.threads}${t.llama_default ? " (node-llama-cpp default)" : ""}`,
      t.method === "baseline" ? "one after the other" : t.arms_in_parallel ? "side by side" : "one after the other",
      String(t.cases),
      seconds(t.wall_ms),
      `${count(t.ms_per_case)} ms`,
      count(t.arms_tokens_per_second),
      t.fraction_of_limit_at_threads_in_use === null ? "" : percent(t.fraction_of_limit_at_threads_in_use),
      t.other_load_cores === null ? "n/a" : t.other_load_cores.toFixed(2),
    ]);
  }
  out.push(...table(settingRows));
  out.push("  threads are per context (per arm); \"of limit\" compares with the limit at the threads in use (per arm x 2 when side by side)");
  out.push("");

  const mem = r.lora_memory;
  out.push(`LoRA memory (contexts of ${mem.context_size} tokens, each after evaluating a prompt):`);
  out.push(`  RSS with the model and a base context: ${mib(mem.rss_with_base_context_bytes)}; one more base context adds ${mib(mem.one_more_context_rss_bytes)}`);
  out.push(
    `  a LoRA context next to them adds ${mib(mem.lora_rss_overhead_bytes)}: adapter ${mib(mem.adapter_file_bytes)} + one context = ${mib(mem.bound_adapter_plus_context_bytes)}` +
      ` (adapter + KV cache alone: ${mib(mem.bound_adapter_plus_kv_bytes)}); a second copy of the weights would add ~${mib(mem.model_file_bytes)}`,
  );
  out.push("");

  if (r.scaling.length > 1) {
    out.push("scaling (wall time, per case, tokens evaluated):");
    const scaleRows = [["  cases", ...METHOD_NAMES]];
    for (const s of r.scaling) scaleRows.push([`  ${s.cases}`, ...METHOD_NAMES.map((n) => `${seconds(s.methods[n].wall_ms)}, ${s.methods[n].ms_per_case.toFixed(0)} ms / ${count(s.methods[n].tokens_evaluated)}`)]);
    out.push(...table(scaleRows));
    out.push("");
  }

  if (r.max_other_load_cores !== null && r.max_other_load_cores > DISTURBED_LOAD_CORES) {
    out.push(`WARNING: other processes used up to ${r.max_other_load_cores.toFixed(1)} cores during timed steps; these figures are disturbed. Rerun when the machine is quiet.`);
    out.push("");
  }
  out.push("targets:");
  const t = r.targets;
  out.push(`  speedup ${r.speedup_vs_baseline.toFixed(1)}x   ${t.speedup.target}: ${t.speedup.met ? "met" : "MISSED"}`);
  out.push(
    `    (tunegate as shipped against the fastest baseline: ${r.speedup_as_shipped.toFixed(1)}x` +
      `${r.speedup_arms_one_after_the_other === null ? "" : `; with its arms one after the other: ${r.speedup_arms_one_after_the_other.toFixed(1)}x`})`,
  );
  out.push(`  tokens ${r.tokens_ratio_to_minimum.toFixed(3)}x minimum   ${t.tokens.target}: ${t.tokens.met ? "met" : "MISSED"}`);
  out.push(`  throughput ${percent(r.throughput_fraction_of_limit)} of the limit   ${t.throughput.target}: ${t.throughput.met ? "met" : "MISSED"}`);
  out.push(`    (of the adapter-aware limit, shown beside it and not a target: ${percent(r.throughput_fraction_of_adapter_aware_limit)})`);
  out.push(`  LoRA RSS overhead ${mib(r.lora_rss_overhead_bytes)}   ${t.lora_memory.target}: ${t.lora_memory.met ? "met" : "MISSED"}`);
  return out.join("\n");
}
