/**
 * What live monitoring costs the gateway: parse time of a replica's /metrics page (the emulator's, which
 * carries vLLM's full set of histograms), with and without the name filter the scraper uses, and the CPU
 * a real scrape loop takes against an emulated fleet at the default 100 ms interval.
 *
 *   node --import tsx bench/fleet-scrape.ts [replicas=5] [seconds=5] [intervalMs=100]
 */
import { startEmulatorFleet } from '../src/emulator/index.js';
import { engineLoad, LOAD_METRIC_NAMES } from '../src/fleet/engine-load.js';
import { Fleet } from '../src/fleet/fleet.js';
import { LiveFleet } from '../src/fleet/live-fleet.js';
import { SILENT_LOGGER } from '../src/fleet/monitor-support.js';
import { parsePrometheusText } from '../src/fleet/prometheus-parse.js';
import { createUndiciTransport } from '../src/transport/undici-transport.js';

const replicas = Number(process.argv[2] ?? 5);
const seconds = Number(process.argv[3] ?? 5);
const intervalMs = Number(process.argv[4] ?? 100);

const emulators = await startEmulatorFleet({ speed: 10, pools: [{ name: 'p', hardware: 'h100-sxm', model: 'llama-3.1-8b', tensorParallel: 1, replicas }] });
const page = await (await fetch(`${emulators.replicas[0]!.url}/metrics`)).text();

function time(label: string, runs: number, fn: () => unknown): void {
  for (let i = 0; i < 200; i++) fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) fn();
  const us = Number(process.hrtime.bigint() - start) / 1e3 / runs;
  console.log(`${label.padEnd(44)} ${us.toFixed(1)} µs`);
}
console.log(`emulator /metrics page: ${page.length} bytes, ${page.split('\n').length} lines`);
time('parse, every series', 2_000, () => parsePrometheusText(page));
time('parse, load series only + engineLoad', 2_000, () => engineLoad(parsePrometheusText(page, { only: (n) => LOAD_METRIC_NAMES.has(n) }).samples));

const clock = { now: () => performance.now() };
const fleet = new Fleet(
  emulators.replicas.map((r) => ({
    id: r.id,
    pool: 'p',
    model: 'm',
    hardware: 'h100-sxm',
    tensorParallel: 1,
    usdPerHour: 1,
    idleWatts: 1,
    maxWatts: 1,
    maxRunning: 256,
    provider: 'openai-compatible',
    target: { baseUrl: `${r.url}/v1`, upstreamModel: 'm' },
    live: {
      metrics: { url: `${r.url}/metrics`, intervalMs, staleAfterMs: 2000, timeoutMs: 1000 },
      kvEvents: { url: `${r.url}/kv-events` },
      health: { url: `${r.url}/health`, intervalMs: 5000, timeoutMs: 2000, unhealthyThreshold: 2, healthyThreshold: 1 },
    },
  })),
  { failureThreshold: 3, cooldownMs: 1000 },
  clock,
);
const transport = createUndiciTransport({ timeouts: { totalMs: 0 }, connections: 4 });
const live = new LiveFleet(fleet, { transport, clock, logger: SILENT_LOGGER });
const cpuBefore = process.cpuUsage();
live.start();
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
const cpu = process.cpuUsage(cpuBefore);
await live.close();
const scrapes = live.monitors.reduce((n, m) => n + (m.metrics?.status.scrapes ?? 0), 0);
const failures = live.monitors.reduce((n, m) => n + (m.metrics?.status.failures ?? 0), 0);
console.log(`${replicas} replicas × ${intervalMs} ms for ${seconds} s: ${scrapes} scrapes (${failures} failed), ${(scrapes / seconds).toFixed(0)}/s`);
console.log(`process CPU (gateway side and emulator side together): ${(((cpu.user + cpu.system) / 1e3 / (seconds * 1000)) * 100).toFixed(1)}% of one core, ${((cpu.user + cpu.system) / scrapes).toFixed(0)} µs per scrape`);
await transport.close();
await emulators.close();
