/**
 * Load generator for bench/gateway.ts, run in its own process so it does not share an event loop with
 * what it measures. Keep-alive undici Pool; closed loop (fixed concurrency) or open loop (fixed rate,
 * latency measured from the scheduled send time so a stalled server cannot hide its queueing —
 * "coordinated omission"). Prints one JSON result line.
 *
 *   node --import tsx bench/load-generator.ts '{"url":"http://127.0.0.1:4000","mode":"concurrency","concurrency":64,"seconds":5,"stream":false}'
 */
import { Pool } from 'undici';

interface LoadSpec {
  url: string;
  mode: 'concurrency' | 'rate';
  concurrency?: number;
  rate?: number;
  seconds: number;
  warmupSeconds?: number;
  stream: boolean;
  model?: string;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
const body = JSON.stringify({
  model: spec.model ?? 'canned',
  messages: [{ role: 'user', content: 'What is the status of line 4?' }],
  max_tokens: 16,
  ...(spec.stream ? { stream: true, stream_options: { include_usage: true } } : {}),
});
const connections = spec.mode === 'concurrency' ? (spec.concurrency ?? 64) : 256;
const pool = new Pool(spec.url, { connections, pipelining: 1, keepAliveTimeout: 60_000 });
const headers = { 'content-type': 'application/json' };

let errors = 0;
let statusErrors = 0;
const latencies: number[] = [];

async function once(): Promise<void> {
  const response = await pool.request({ method: 'POST', path: '/v1/chat/completions', headers, body });
  if (response.statusCode !== 200) statusErrors++;
  // Read the whole answer (for streams: every SSE frame through [DONE]).
  for await (const _chunk of response.body) {
    // drain
  }
}

async function closedLoop(seconds: number, record: boolean): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const start = performance.now();
      try {
        await once();
        if (record) latencies.push(performance.now() - start);
        done++;
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency ?? 64 }, worker));
  return done;
}

async function openLoop(seconds: number, record: boolean): Promise<number> {
  const rate = spec.rate ?? 1000;
  const total = Math.floor(rate * seconds);
  const start = performance.now();
  let sent = 0;
  let done = 0;
  const inflight = new Set<Promise<void>>();
  while (sent < total) {
    const now = performance.now();
    const due = Math.min(total, Math.floor(((now - start) / 1000) * rate) + 1);
    while (sent < due) {
      const scheduled = start + (sent / rate) * 1000;
      sent++;
      const p = once().then(
        () => {
          if (record) latencies.push(performance.now() - scheduled);
          done++;
        },
        () => {
          errors++;
        },
      );
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(inflight);
  return done;
}

const run = spec.mode === 'rate' ? openLoop : closedLoop;
await run(spec.warmupSeconds ?? 1, false);
latencies.length = 0;
errors = 0;
statusErrors = 0;
const started = performance.now();
const done = await run(spec.seconds, true);
const elapsed = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const quantile = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
process.stdout.write(
  `${JSON.stringify({ requests: done, errors, statusErrors, seconds: elapsed, rps: done / elapsed, p50: quantile(0.5), p90: quantile(0.9), p99: quantile(0.99), max: latencies.at(-1) ?? NaN })}\n`,
);
await pool.close();
