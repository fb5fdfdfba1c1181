import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine, replicaSpec } from '../engine/index.js';
import type { Engine, EngineRequest } from '../engine/types.js';
import { runSimulation } from '../sim/simulate.js';
import type { SimRequest } from '../sim/types.js';
import { encode } from '../tokenizer/tokenizer.js';
import { chainBlockHashes } from '../util/hash.js';
import { readSse } from '../util/sse.js';
import { Random } from '../util/random.js';
import { startEmulator, type RunningEmulator } from './emulator.js';
import { metric, scrape } from './test-support.js';
import { WORDS } from './vocabulary.js';

/**
 * The check that the two uses of the engine model agree: the same small workload through the
 * emulator (wall clock, HTTP, the pacer) and through the simulator (virtual clock) gives mean TTFT and
 * TPOT within 10%.
 *
 * Requests are real HTTP calls sent at the workload's times (scaled by --speed). On a shared, loaded
 * machine the sender's timers fire late and bunch arrivals, which changes queueing, not the engines; so the
 * simulator replays the arrival times the emulator's engine actually saw (recorded by a decorator around
 * the engine), and the emulator's side is what it reports on /metrics (engine time). Client-side wall
 * measurements are printed for information, not asserted (tests never assert on wall time).
 */
const SPEED = 4;
const hardware = 'l40s';
const model = 'llama-3.1-8b';

interface Item {
  arrivalMs: number;
  prompt: string;
  promptTokens: number;
  outputTokens: number;
}

function workload(): Item[] {
  const random = new Random(2026);
  const items: Item[] = [];
  let t = 0;
  for (let i = 0; i < 24; i++) {
    t += random.exponential(1 / 250); // mean gap 250 ms of engine time
    const words = 300 + random.int(1200);
    // Each " word" is one token; a request-unique head keeps prompts from sharing cache blocks.
    const prompt = `Request${i}` + Array.from({ length: words }, () => ` ${WORDS[random.int(WORDS.length)] as string}`).join('');
    items.push({ arrivalMs: t, prompt, promptTokens: encode(prompt).length, outputTokens: 32 + random.int(64) });
  }
  return items;
}

describe('emulator and simulator agree', () => {
  let emulator: RunningEmulator | undefined;
  after(() => emulator?.close());

  test('mean TTFT and TPOT within 10% on the same workload', async () => {
    const items = workload();
    const inner = createEngine(replicaSpec(model, hardware, 1), { emitTokenEvents: true, emitKvEvents: true });
    const seen: EngineRequest[] = [];
    const recording: Engine = {
      spec: inner.spec,
      add: (request, nowMs) => {
        seen.push(request);
        inner.add(request, nowMs);
      },
      abort: (id, nowMs) => inner.abort(id, nowMs),
      hasWork: () => inner.hasWork(),
      step: (nowMs) => inner.step(nowMs),
      state: (nowMs) => inner.state(nowMs),
      resetPrefixCache: (nowMs) => inner.resetPrefixCache(nowMs),
    };
    emulator = await startEmulator({ engine: recording, speed: SPEED });
    const url = emulator.url;
    let clientTtft = 0;
    const start = performance.now();
    await Promise.all(
      items.map(async (it) => {
        const wait = it.arrivalMs / SPEED - (performance.now() - start);
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const sent = performance.now();
        const res = await fetch(`${url}/v1/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model, prompt: it.prompt, max_tokens: it.outputTokens, ignore_eos: true, stream: true, stream_options: { include_usage: true } }),
        });
        let first = 0;
        let usage: { prompt_tokens: number; completion_tokens: number } | undefined;
        for await (const m of readSse(res.body as ReadableStream<Uint8Array>)) {
          if (m.data === '[DONE]') break;
          const chunk = JSON.parse(m.data) as { choices: { text: string }[]; usage?: typeof usage | null };
          if (first === 0 && (chunk.choices[0]?.text ?? '') !== '') first = performance.now();
          if (chunk.usage) usage = chunk.usage;
        }
        clientTtft += (first - sent) * SPEED;
        assert.equal(usage?.prompt_tokens, it.promptTokens);
        assert.equal(usage?.completion_tokens, it.outputTokens);
      }),
    );
    const samples = await scrape(url);
    const mean = (name: string): number =>
      ((metric(samples, `${name}_sum`) ?? NaN) / (metric(samples, `${name}_count`) ?? NaN)) * 1000;
    const emuTtft = mean('vllm:time_to_first_token_seconds');
    const emuTpot = mean('vllm:request_time_per_output_token_seconds');

    // The simulator replays what the engine saw: same prompts, outputs and (recorded) arrival times.
    assert.equal(seen.length, items.length);
    const byPromptTokens = new Map(items.map((it) => [it.promptTokens, it] as const));
    assert.equal(byPromptTokens.size, items.length, 'prompt lengths identify requests');
    const sim = runSimulation({
      requests: seen.map((r): SimRequest => {
        const it = byPromptTokens.get(r.promptTokens) as Item;
        return {
          // Unshifted: an arrival stamped exactly at a step's end must stay exactly there.
          arrivalMs: r.arrivalMs,
          promptTokens: it.promptTokens,
          outputTokens: it.outputTokens,
          blockHashes: chainBlockHashes(encode(it.prompt), 16),
          blockTokens: 16,
        };
      }),
      fleet: { pools: [{ name: hardware, hardware, model, tensorParallel: 1, replicas: 1 }] },
      policy: 'round-robin',
    }).result;
    assert.equal(sim.completed, items.length);
    const simTtft = sim.ttft_ms.mean;
    const simTpot = sim.tpot_ms.mean;
    const report =
      `TTFT emulator ${emuTtft.toFixed(1)} ms vs simulator ${simTtft.toFixed(1)} ms; ` +
      `TPOT ${emuTpot.toFixed(2)} vs ${simTpot.toFixed(2)} ms; client-measured TTFT (wall x speed) ${(clientTtft / items.length).toFixed(1)} ms`;
    console.log(report);
    assert.ok(Math.abs(emuTtft - simTtft) <= 0.1 * simTtft, report);
    assert.ok(Math.abs(emuTpot - simTpot) <= 0.1 * simTpot, report);
  });
});
