import type { SimResult } from '../result.js';
import { int, joules, ms, pct, usd } from './format.js';

function grid(rows: string[][], rightFrom = 1): string {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, c) => (c < rightFrom ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  ').trimEnd()).join('\n');
}

/** The human summary `switchyard sim` prints when `--json` is absent. */
export function summaryTable(r: SimResult): string {
  const slo = [r.slo.ttft_ms === null ? undefined : `TTFT ≤ ${r.slo.ttft_ms} ms`, r.slo.tpot_ms === null ? undefined : `TPOT ≤ ${r.slo.tpot_ms} ms`].filter(Boolean).join(', ');
  const lines = [
    `policy ${r.policy}, seed ${r.seed}: ${int(r.requests)} requests, ${int(r.completed)} completed, ${int(r.rejected)} rejected` +
      (r.aborted > 0 ? `, ${int(r.aborted)} aborted` : '') +
      (r.queued > 0 ? ` (${int(r.queued)} queued at least once)` : ''),
    `simulated ${r.duration_s.toFixed(1)} s (arrivals over ${r.trace_span_s.toFixed(1)} s)`,
    '',
    grid([
      ['', 'mean', 'p50', 'p90', 'p99'],
      ...(['ttft_ms', 'tpot_ms', 'e2e_ms'] as const).map((k) => [k.replace('_ms', '').toUpperCase(), ms(r[k].mean), ms(r[k].p50), ms(r[k].p90), ms(r[k].p99)]),
    ]),
    '',
    `SLO ${slo === '' ? '(none set)' : slo}: attainment ${pct(r.slo_attainment)}, goodput ${r.goodput_rps.toFixed(2)} req/s`,
    `throughput ${int(r.output_tokens_per_s)} output tok/s, prefix-cache hit ${pct(r.prefix_hit_rate)}, ${int(r.preemptions)} preemptions`,
    `cost ${usd(r.cost_usd)} (${usd(r.usd_per_mtok)} per M tokens), energy ${joules(r.energy_j)} (${r.tokens_per_joule.toFixed(2)} tok/J)`,
    '',
    grid(
      [
        ['pool', 'hardware', 'model', 'TP', 'replicas', '$/h each', 'routed', 'util', 'hit', 'cost', 'energy'],
        ...r.per_pool.map((p) => [
          p.name,
          p.hardware,
          p.model,
          String(p.tensor_parallel),
          String(p.replicas),
          p.usd_per_hour.toFixed(2),
          int(p.routed),
          pct(p.utilisation),
          pct(p.prefix_hit_rate),
          usd(p.cost_usd),
          joules(p.energy_j),
        ]),
      ],
      3,
    ),
  ];
  if (Object.keys(r.reject_reasons).length > 0) {
    lines.push('', 'rejections:');
    const reasons = Object.entries(r.reject_reasons).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    for (const [reason, count] of reasons) lines.push(`  ${int(count).padStart(8)}  ${reason}`);
  }
  return lines.join('\n');
}
