import type { SimulationOutput } from '../simulate.js';
import { int, joules, ms, pct, usd } from './format.js';
import { escapeXml as esc, lineChart, logHistogram, PALETTE, shareBars } from './svg.js';

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#111827;max-width:720px;margin:32px auto;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}p.sub{color:#6b7280;margin:0 0 16px}
.kpis{display:grid;grid-template-columns:repeat(4,1fr);gap:8px}.kpi{border:1px solid #e5e7eb;border-radius:6px;padding:8px}
.kpi b{display:block;font-size:18px}.kpi span{color:#6b7280;font-size:12px}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}td,th{padding:4px 6px;border-bottom:1px solid #e5e7eb;text-align:right}
td:first-child,th:first-child{text-align:left}svg{width:100%;height:auto;font-size:11px}svg text{fill:#374151}
svg .grid{stroke:#f3f4f6}svg .axis{stroke:#9ca3af}svg .label{fill:#6b7280}.legend span{margin-right:12px}
.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
details{margin-top:24px}pre{font-size:12px;background:#f9fafb;padding:8px;overflow:auto}`;

function legend(names: readonly string[]): string {
  return `<div class="legend">${names.map((n, k) => `<span><i style="background:${PALETTE[k % PALETTE.length]}"></i>${esc(n)}</span>`).join('')}</div>`;
}

/** A self-contained HTML page: inline CSS and inline SVG, no scripts, fonts or links to fetch. */
export function renderReport(output: SimulationOutput, title: string): string {
  const r = output.result;
  const t = output.timeline;
  const seconds = t.bucketMs / 1000;
  const poolNames = r.per_pool.map((p) => p.name);
  const kpi = (value: string, label: string) => `<div class="kpi"><b>${esc(value)}</b><span>${esc(label)}</span></div>`;
  const markers = [
    { at: r.ttft_ms.p50, label: 'p50', color: '#059669' },
    { at: r.ttft_ms.p99, label: 'p99', color: '#dc2626' },
    ...(r.slo.ttft_ms === null ? [] : [{ at: r.slo.ttft_ms, label: 'SLO', color: '#111827' }]),
  ];
  const rows = (['ttft_ms', 'tpot_ms', 'e2e_ms'] as const)
    .map((k) => `<tr><td>${k.replace('_ms', '').toUpperCase()}</td><td>${ms(r[k].mean)}</td><td>${ms(r[k].p50)}</td><td>${ms(r[k].p90)}</td><td>${ms(r[k].p99)}</td></tr>`)
    .join('');
  const poolRows = r.per_pool
    .map(
      (p) =>
        `<tr><td>${esc(p.name)}</td><td>${esc(p.hardware)}</td><td>${esc(p.model)}</td><td>${p.tensor_parallel}</td><td>${p.replicas}</td>` +
        `<td>${int(p.routed)}</td><td>${pct(p.utilisation)}</td><td>${pct(p.prefix_hit_rate)}</td><td>${usd(p.cost_usd)}</td><td>${joules(p.energy_j)}</td></tr>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${STYLE}</style></head><body>
<h1>${esc(title)}</h1>
<p class="sub">policy ${esc(r.policy)} · seed ${r.seed} · ${int(r.requests)} requests over ${r.trace_span_s.toFixed(0)} s · simulated ${r.duration_s.toFixed(0)} s</p>
<div class="kpis">
${kpi(pct(r.slo_attainment), 'SLO attainment')}${kpi(`${r.goodput_rps.toFixed(2)}/s`, 'goodput')}${kpi(usd(r.usd_per_mtok), 'per million tokens')}${kpi(pct(r.prefix_hit_rate), 'prefix-cache hit')}
${kpi(int(r.completed), 'completed')}${kpi(int(r.rejected), 'rejected')}${kpi(usd(r.cost_usd), 'fleet cost')}${kpi(`${r.tokens_per_joule.toFixed(2)} tok/J`, joules(r.energy_j))}
</div>
<h2>Latency</h2>
<table><tr><th></th><th>mean</th><th>p50</th><th>p90</th><th>p99</th></tr>${rows}</table>
<h2>Time to first token</h2>
${logHistogram(output.ttftMs, 'TTFT, ms (log scale)', markers)}
<h2>Utilisation per pool</h2>
${legend(poolNames)}
${lineChart(t.utilisation.map((values, p) => ({ name: poolNames[p] ?? '', values: values.map((v) => v * 100) })), seconds, 'time, s', 'busy %', 100)}
<h2>Queue length per pool</h2>
${legend([...poolNames.map((n) => `${n} (waiting in engines)`), 'fleet queue'])}
${lineChart([...t.waiting.map((values, p) => ({ name: poolNames[p] ?? '', values })), { name: 'fleet queue', values: t.queued }], seconds, 'time, s', 'requests (max per bucket)')}
<h2>Cost split</h2>
${shareBars(r.per_pool.map((p) => ({ name: p.name, value: p.cost_usd })), usd)}
<h2>Pools</h2>
<table><tr><th>pool</th><th>hardware</th><th>model</th><th>TP</th><th>replicas</th><th>routed</th><th>util</th><th>hit</th><th>cost</th><th>energy</th></tr>${poolRows}</table>
<details><summary>Result as JSON (what <code>--json</code> prints)</summary><pre>${esc(JSON.stringify(r, null, 2))}</pre></details>
</body></html>
`;
}
