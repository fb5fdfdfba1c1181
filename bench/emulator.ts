/**
 * Emulator load benchmark: hosts a 16-replica fleet (4 pools) in this process and drives it with closed-loop
 * streaming chat clients over loopback, then prints wall throughput (requests/s, streamed tokens/s, SSE
 * chunks/s) and how far client-measured TTFT/TPOT (scaled back to engine time) drift from the engine's own
 * numbers. Clients and servers share the process, so this is a lower bound for a separate emulator process.
 *
 *   node --import tsx bench/emulator.ts [concurrency=64] [seconds=10] [speed=10]
 */
import { startEmulatorFleet } from '../src/emulator/index.js';
import { readSse } from '../src/util/sse.js';

const concurrency = Number(process.argv[2] ?? 64);
const seconds = Number(process.argv[3] ?? 10);
const speed = Number(process.argv[4] ?? 10);

const fleet = await startEmulatorFleet({
  speed,
  pools: [
    { name: 'h100', hardware: 'h100-sxm', model: 'llama-3.1-8b', tensorParallel: 1, replicas: 4 },
    { name: 'a100', hardware: 'a100-80gb', model: 'llama-3.1-8b', tensorParallel: 1, replicas: 4 },
    { name: 'l40s', hardware: 'l40s', model: 'llama-3.1-8b', tensorParallel: 1, replicas: 4 },
    { name: 'l4', hardware: 'l4', model: 'llama-3.1-8b', tensorParallel: 1, replicas: 4 },
  ],
});

// Warm-up: one short request per replica, so JIT compilation is not counted as latency.
await Promise.all(
  fleet.replicas.map(async (r) => {
    const res = await fetch(`${r.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'warm up' }], stream: true, max_tokens: 4 }),
    });
    await res.text();
  }),
);
const baseline = new Map<string, { sum: number; count: number }>();
for (const r of fleet.replicas) baseline.set(r.id, await ttftTotals(r.url));

async function ttftTotals(url: string): Promise<{ sum: number; count: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return {
    sum: Number(/^vllm:time_to_first_token_seconds_sum\S* (\S+)$/m.exec(text)?.[1] ?? 0),
    count: Number(/^vllm:time_to_first_token_seconds_count\S* (\S+)$/m.exec(text)?.[1] ?? 0),
  };
}

let requests = 0;
let tokens = 0;
let chunks = 0;
let ttftSum = 0;
let tpotSum = 0;
let tpotN = 0;
let deadline = 0;

async function client(i: number): Promise<void> {
  let n = 0;
  while (performance.now() < deadline) {
    const replica = fleet.replicas[(i + n++) % fleet.replicas.length];
    if (replica === undefined) return;
    const sent = performance.now();
    const res = await fetch(`${replica.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'llama-3.1-8b',
        messages: [{ role: 'user', content: `client ${i} request ${n}: ${'tell me about rails '.repeat(20)}` }],
        stream: true,
        stream_options: { include_usage: true },
        max_tokens: 128,
      }),
    });
    if (res.body === null) throw new Error(`status ${res.status}`);
    let first = 0;
    let last = 0;
    let count = 0;
    for await (const m of readSse(res.body)) {
      chunks++;
      if (m.data === '[DONE]') break;
      const chunk = JSON.parse(m.data) as { choices: { delta: { content?: string } }[] };
      if (chunk.choices[0]?.delta.content) {
        const now = performance.now();
        if (first === 0) first = now;
        last = now;
        count++;
      }
    }
    requests++;
    tokens += count;
    ttftSum += ((first - sent) * speed) / 1000;
    if (count > 1) {
      tpotSum += ((last - first) * speed) / 1000 / (count - 1);
      tpotN++;
    }
  }
}

const t0 = performance.now();
deadline = t0 + seconds * 1000;
await Promise.all(Array.from({ length: concurrency }, (_, i) => client(i)));
const wall = (performance.now() - t0) / 1000;

let engineTtft = 0;
let engineTtftN = 0;
for (const r of fleet.replicas) {
  const now = await ttftTotals(r.url);
  const before = baseline.get(r.id) ?? { sum: 0, count: 0 };
  engineTtft += now.sum - before.sum;
  engineTtftN += now.count - before.count;
}
await fleet.close();

console.log(
  JSON.stringify(
    {
      replicas: fleet.replicas.length,
      concurrency,
      speed,
      wallSeconds: Number(wall.toFixed(2)),
      requestsPerS: Number((requests / wall).toFixed(1)),
      streamedTokensPerS: Math.round(tokens / wall),
      sseChunksPerS: Math.round(chunks / wall),
      clientMeanTtftMs: Number(((ttftSum / requests) * 1000).toFixed(1)),
      engineMeanTtftMs: Number(((engineTtft / engineTtftN) * 1000).toFixed(1)),
      clientMeanTpotMs: Number(((tpotSum / tpotN) * 1000).toFixed(2)),
      rssMb: Math.round(process.memoryUsage().rss / 1e6),
    },
    null,
    2,
  ),
);
