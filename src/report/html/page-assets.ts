// The page's only style sheet and only script, inlined into every HTML report. The script sorts, filters and
// pages the case table and nothing else; the Content-Security-Policy names it by its hash, so no other script
// (nor any request to anywhere) can run in the page.
import { createHash } from "node:crypto";

export const STYLE = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1b1f24;--muted:#59636e;--line:#d1d9e0;--panel:#f6f8fa;
--few:#2f6db5;--lora:#b0489e;--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;
--z-prompt:#8fb3e0;--z-ship:#7cc48b;--z-gray:#c4c8cc;--z-fine:#f0b35a;--up:#2f6db5;--down:#d1602a}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#3d444d;--panel:#151b23;
--few:#6ca4f0;--lora:#e07fd0;--ok:#3fb950;--bad:#f85149;--warn:#d29922;
--z-prompt:#2d4f7a;--z-ship:#24583a;--z-gray:#3d444d;--z-fine:#7a5a21;--up:#6ca4f0;--down:#f0883e}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1100px;padding:1.5rem;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif}
h1,h2,h3{line-height:1.25}h2{border-bottom:1px solid var(--line);padding-bottom:.3rem;margin-top:2.5rem}
a{color:var(--few)}a:focus-visible,button:focus-visible,select:focus-visible,input:focus-visible{outline:3px solid var(--warn);outline-offset:2px}
.muted{color:var(--muted)}.badge{display:inline-block;padding:.1rem .55rem;border-radius:1rem;font-weight:600;border:1px solid currentColor}
.gate-pass{color:var(--ok)}.gate-warn{color:var(--warn)}.gate-fail{color:var(--bad)}
code{font:13px ui-monospace,SFMono-Regular,Menlo,monospace;background:var(--panel);padding:.05rem .3rem;border-radius:4px}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:14px}th,td{border:1px solid var(--line);padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:var(--panel)}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:1rem 0;break-inside:avoid}figure.small{margin:0}figure.small figcaption{text-align:center}figcaption{color:var(--muted);font-size:14px;max-width:760px}
.charts{display:flex;flex-wrap:wrap;gap:1rem}.chart{max-width:100%;height:auto;overflow:visible}
.chart text{fill:var(--fg);font-size:12px}.chart .tick-label,.chart .support,.chart .axis-label,.chart .value{fill:var(--muted);font-size:11px}
.chart .marker-label{font-size:11px}.chart .axis,.chart .tick,.chart .zero{stroke:var(--muted)}.chart .grid{stroke:var(--line)}
.zone{stroke:none;opacity:.55}.zone.current{opacity:1}.zone-prompt-wins{fill:var(--z-prompt)}.zone-ship-prompt{fill:var(--z-ship)}
.zone-gray-zone{fill:var(--z-gray)}.zone-fine-tune,.zone-lora-wins-low-volume{fill:var(--z-fine)}.chart .zone-label{font-size:11px}.zone-label.current{font-weight:700}
.threshold{stroke:var(--fg);stroke-width:1.5;stroke-dasharray:4 3}.threshold-label{font-weight:600}
.ci .ci-line,.ci .ci-cap{stroke:var(--fg);stroke-width:2.5}.ci .delta{fill:var(--fg)}.ci.baseline .ci-line,.ci.baseline .ci-cap{stroke:var(--muted);stroke-dasharray:5 3}.ci.baseline .delta{fill:var(--muted)}
.track{fill:var(--panel)}.bar.arm-few_shot,.cost-line.arm-few_shot{fill:var(--few);stroke:var(--few)}.bar.arm-lora,.cost-line.arm-lora{fill:var(--lora);stroke:var(--lora)}
.series-label.arm-few_shot{fill:var(--few)}.series-label.arm-lora{fill:var(--lora)}.cost-line{stroke-width:2.5}
.bar.correct{fill:var(--ok)}.bar.wrong{fill:var(--bad)}.p50,.p95,.break-even{stroke:var(--fg);stroke-dasharray:3 3}.cold{fill:var(--warn)}
.cell.tone-diagonal{fill:var(--ok)}.cell.tone-off{fill:var(--bad)}.cell.tone-up{fill:var(--up)}.cell.tone-down{fill:var(--down)}.cell.tone-zero{fill:var(--muted)}
.legend{display:flex;gap:1rem;font-size:13px;color:var(--muted);flex-wrap:wrap}.swatch{display:inline-block;width:.8rem;height:.8rem;border-radius:2px;margin-right:.3rem;vertical-align:middle}
.sw-few{background:var(--few)}.sw-lora{background:var(--lora)}.sw-ok{background:var(--ok)}.sw-bad{background:var(--bad)}
.controls{display:flex;flex-wrap:wrap;gap:.75rem;align-items:end;margin:.5rem 0}.controls label{display:flex;flex-direction:column;font-size:13px;color:var(--muted)}
.controls select,.controls input,.pager button{font:inherit;color:var(--fg);background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:.2rem .4rem}
th button{all:unset;cursor:pointer}th button::after{content:" ↕";color:var(--muted)}th[aria-sort=ascending] button::after{content:" ↑"}th[aria-sort=descending] button::after{content:" ↓"}
.ok{color:var(--ok)}.bad{color:var(--bad)}.case-input{max-width:28rem;overflow-wrap:anywhere}
.pager{display:flex;gap:.5rem;align-items:center}
@media print{body{max-width:none;padding:0;font-size:11pt}.controls,.pager{display:none}h2{break-before:page}h2:first-of-type{break-before:auto}a{color:inherit;text-decoration:none}
.zone{opacity:.35}.zone.current{opacity:.7}}
`;

export const SCRIPT = `
(function () {
  "use strict";
  function key(row, col, type) {
    var cell = row.cells[col];
    var raw = cell ? (cell.getAttribute("data-sort") || cell.textContent || "") : "";
    if (type === "num") { var v = parseFloat(raw); return isNaN(v) ? -Infinity : v; }
    return raw.toLowerCase();
  }
  document.querySelectorAll("[data-case-table]").forEach(function (root) {
    var tbody = root.querySelector("tbody");
    var rows = Array.prototype.slice.call(tbody.rows);
    var size = parseInt(root.getAttribute("data-page-size"), 10) || 100;
    var kind = root.querySelector("[data-filter=kind]");
    var label = root.querySelector("[data-filter=label]");
    var query = root.querySelector("[data-filter=text]");
    var status = root.querySelector("[data-status]");
    var prev = root.querySelector("[data-page=prev]");
    var next = root.querySelector("[data-page=next]");
    var matching = rows;
    var page = 0;
    function show() {
      var pages = Math.max(1, Math.ceil(matching.length / size));
      page = Math.min(Math.max(page, 0), pages - 1);
      var shown = new Set(matching.slice(page * size, (page + 1) * size));
      rows.forEach(function (row) { var hide = !shown.has(row); if (row.hidden !== hide) row.hidden = hide; });
      var first = matching.length === 0 ? 0 : page * size + 1;
      status.textContent = matching.length === 0 ? "No case matches." :
        "Cases " + first + "–" + Math.min(matching.length, (page + 1) * size) + " of " + matching.length + " matching (" + rows.length + " in all), page " + (page + 1) + " of " + pages + ".";
      prev.disabled = page === 0;
      next.disabled = page >= pages - 1;
    }
    function filter() {
      var k = kind.value, l = label.value, q = query.value.trim().toLowerCase();
      matching = rows.filter(function (row) {
        return (k === "all" || row.getAttribute("data-" + k) === "1") &&
          (l === "" || row.getAttribute("data-expected") === l) &&
          (q === "" || row.textContent.toLowerCase().indexOf(q) >= 0);
      });
      page = 0;
      show();
    }
    kind.addEventListener("change", filter);
    label.addEventListener("change", filter);
    query.addEventListener("input", filter);
    prev.addEventListener("click", function () { page -= 1; show(); });
    next.addEventListener("click", function () { page += 1; show(); });
    root.querySelectorAll("th[data-sort-type]").forEach(function (th) {
      var button = th.querySelector("button");
      button.addEventListener("click", function () {
        var col = th.cellIndex, type = th.getAttribute("data-sort-type");
        var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
        root.querySelectorAll("th[aria-sort]").forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
        rows.sort(function (a, b) { var x = key(a, col, type), y = key(b, col, type); return x < y ? -dir : x > y ? dir : 0; });
        var fragment = document.createDocumentFragment();
        rows.forEach(function (row) { fragment.appendChild(row); });
        tbody.appendChild(fragment);
        filter();
      });
    });
    root.querySelector(".controls").hidden = false;
    root.querySelector(".pager").hidden = false;
    filter();
  });
})();
`;

/** The CSP source naming the script by its SHA-256. */
export function scriptHash(script: string): string {
  return `'sha256-${createHash("sha256").update(script, "utf8").digest("base64")}'`;
}
