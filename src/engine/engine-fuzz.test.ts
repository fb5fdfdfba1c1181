import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from './engine.js';
import { request, tinySpec } from './test-fixtures.js';
import type { EngineRequest } from './types.js';

/**
 * Random workloads on small KV pools with aborts, priorities, shared prefixes and chunked prefill: after
 * every step the engine's invariants must hold, and at the end every request has finished exactly once.
 */
function fuzz(seed: number): void {
  let x = seed;
  const rnd = (n: number): number => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x % n;
  };
  const blocks = 40 + rnd(200);
  const budget = 64 + rnd(1000);
  const spec = tinySpec(blocks, {
    maxNumBatchedTokens: budget,
    maxNumSeqs: Math.min(budget, 1 + rnd(32)),
    enablePrefixCaching: rnd(4) > 0,
  });
  const engine = createEngine(spec, { emitKvEvents: true, emitTokenEvents: rnd(2) === 0 });
  const reqs: EngineRequest[] = [];
  let t = 0;
  for (let i = 0; i < 150; i++) {
    t += rnd(30);
    const prompt = 1 + rnd(Math.min(600, blocks * 8));
    reqs.push(
      request(
        `r${i}`,
        { promptTokens: prompt, outputTokens: 1 + rnd(200), priority: rnd(3), arrivalMs: t, hashBlockTokens: rnd(2) ? 16 : 32 },
        rnd(3) === 0 ? `own${i}` : `shared${rnd(3)}`,
      ),
    );
  }
  const finished = new Map<string, { aborted: boolean; outputTokens: number }>();
  const aborted = new Set<string>();
  let next = 0;
  let now = 0;
  let stepEnergy = 0;
  let perRequestEnergy = 0;
  let guard = 0;
  while (next < reqs.length || engine.hasWork()) {
    assert.ok(guard++ < 200_000, 'engine made no progress');
    while (next < reqs.length && reqs[next]!.arrivalMs <= now) engine.add(reqs[next]!, reqs[next++]!.arrivalMs);
    if (rnd(20) === 0 && next > 0) {
      const id = `r${rnd(next)}`;
      if (!finished.has(id)) aborted.add(id);
      engine.abort(id, now);
    }
    if (!engine.hasWork()) {
      now = reqs[next]!.arrivalMs;
      continue;
    }
    const s = engine.step(now);
    assert.ok(s.endMs >= s.startMs && s.startMs >= now);
    assert.ok(s.prefillTokens + s.decodeTokens <= budget);
    stepEnergy += s.energyJ;
    for (const e of s.events) {
      if (e.type !== 'finished') continue;
      assert.ok(!finished.has(e.id), `${e.id} finished twice`);
      finished.set(e.id, e);
      perRequestEnergy += e.energyJ;
    }
    const st = engine.state(s.endMs);
    assert.ok(st.kvBlocksUsed >= 0 && st.kvBlocksUsed <= st.kvBlocksTotal, `used ${st.kvBlocksUsed}`);
    assert.ok(st.pendingPrefillTokens >= 0);
    assert.ok(st.running <= spec.engine.maxNumSeqs);
    now = s.endMs;
  }
  const st = engine.state(now);
  assert.equal(st.kvBlocksUsed, 0);
  // Across the 12 seeds this exercises ~400 preemptions, prefix hits and ~350 aborts.
  assert.equal(st.pendingPrefillTokens, 0);
  assert.equal(st.running + st.waiting, 0);
  assert.equal(finished.size, reqs.length);
  for (const r of reqs) {
    const f = finished.get(r.id)!;
    if (!f.aborted) assert.equal(f.outputTokens, r.outputTokens, r.id);
    else assert.ok(aborted.has(r.id) || r.promptTokens + r.outputTokens > blocks * 16, `${r.id} aborted unasked`);
  }
  assert.ok(Math.abs(stepEnergy - perRequestEnergy) <= 1e-9 * stepEnergy);
}

describe('engine fuzz', () => {
  for (let seed = 1; seed <= 12; seed++) test(`seed ${seed}`, () => fuzz(seed * 7919));
});
