import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSimulation } from '../simulate.js';
import { defaultSpec } from '../workload/kinds.js';
import { renderReport } from './html.js';
import { summaryTable } from './table.js';

const output = runSimulation({
  synthetic: { ...defaultSpec('shared-prefix'), requests: 400, ratePerS: 10 },
  fleet: {
    pools: [
      { name: 'fast', hardware: 'h100-sxm', model: 'llama-3.1-8b', tensorParallel: 1, replicas: 1 },
      { name: 'cheap', hardware: 'l4', model: 'llama-3.1-8b', tensorParallel: 1, replicas: 2 },
    ],
  },
  policy: 'round-robin',
  slo: { ttftMs: 1000 },
});

test('the HTML report is self-contained and holds the plots', () => {
  const html = renderReport(output, 'Test <run>');
  assert.match(html, /^<!doctype html>/);
  assert.match(html, /<title>Test &lt;run&gt;<\/title>/);
  // Nothing to fetch: no scripts, stylesheets, images, fonts or absolute URLs.
  for (const forbidden of [/<script/i, /<link/i, /<img/i, /<iframe/i, /\bsrc=/i, /url\(/i, /https?:\/\//i, /@import/i]) {
    assert.doesNotMatch(html, forbidden);
  }
  assert.equal((html.match(/<svg /g) ?? []).length, 4, 'TTFT histogram, utilisation, queue length, cost split');
  for (const heading of ['Time to first token', 'Utilisation per pool', 'Queue length per pool', 'Cost split']) assert.ok(html.includes(heading));
  assert.ok(html.includes('cheap') && html.includes('fast'));
  assert.ok(html.includes('SLO'), 'the TTFT objective is marked');
  assert.ok(html.includes(`&quot;requests&quot;: ${output.result.requests}`), 'the JSON result is embedded');
});

test('the summary table names every pool and the SLO', () => {
  const table = summaryTable(output.result);
  assert.match(table, /400 requests, 400 completed, 0 rejected/);
  assert.match(table, /SLO TTFT ≤ 1000 ms: attainment \d+\.\d%/);
  assert.match(table, /^fast +h100-sxm +llama-3\.1-8b/m);
  assert.match(table, /^cheap +l4 +llama-3\.1-8b/m);
});
