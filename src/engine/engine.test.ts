import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from './engine.js';
import { replicaSpec } from './replica-spec.js';
import { drive } from './test-driver.js';
import { request, tinySpec, uniqueRequest } from './test-fixtures.js';
import type { EngineEvent } from './types.js';

const h100 = replicaSpec('llama-3.1-8b', 'h100-sxm');

function ofType<T extends EngineEvent['type']>(events: EngineEvent[], type: T): Extract<EngineEvent, { type: T }>[] {
  return events.filter((e): e is Extract<EngineEvent, { type: T }> => e.type === type);
}

describe('engine: prefix cache', () => {
  test('a second identical request hits the cache, skips prefill compute and gets a lower TTFT', () => {
    const engine = createEngine(h100);
    const a = request('a', { promptTokens: 4000, outputTokens: 5, arrivalMs: 0 });
    const b = request('b', { promptTokens: 4000, outputTokens: 5, arrivalMs: 1000 });
    const r = drive(engine, [a, b], { keepEvents: true });
    const fa = r.finished.get('a');
    const fb = r.finished.get('b');
    assert.equal(fa?.cachedTokens, 0);
    assert.equal(fb?.cachedTokens, 3984); // 249 full blocks of 16; the last token is always computed
    const ttftA = (r.firstTokenMs.get('a') ?? 0) - 0;
    const ttftB = (r.firstTokenMs.get('b') ?? 0) - 1000;
    assert.ok(ttftB < ttftA / 5, `ttft a ${ttftA} b ${ttftB}`);
    assert.ok((fb?.energyJ ?? 0) < (fa?.energyJ ?? 0));
    const state = engine.state(r.endMs);
    assert.equal(state.prefixQueriesTokens, 8000);
    assert.equal(state.prefixHitsTokens, 3984);
  });

  test('a hash block of hashBlockTokens tokens occupies hashBlockTokens / blockSize KV blocks', () => {
    const spec = tinySpec(40);
    const engine = createEngine(spec);
    const a = request('a', { promptTokens: 256, outputTokens: 1, hashBlockTokens: 64 });
    drive(engine, [a]);
    // 4 hash blocks of 64 tokens = 16 KV blocks, now free but cached.
    assert.equal(engine.state(0).kvBlocksUsed, 0);
    // A 24-block request (384 tokens) fits only by evicting 0 of them: 40 - 16 = 24.
    const b = uniqueRequest('b', { promptTokens: 384, outputTokens: 1, hashBlockTokens: 64, arrivalMs: 100 });
    const again = request('again', { promptTokens: 256, outputTokens: 1, hashBlockTokens: 64, arrivalMs: 200 });
    const r = drive(engine, [b, again]);
    assert.equal(r.finished.get('again')?.cachedTokens, 192); // capped at (256 - 1) / 64 = 3 blocks
  });

  test('free cached blocks are evicted LRU, tail blocks of a prefix first', () => {
    const spec = tinySpec(20);
    const engine = createEngine(spec, { emitKvEvents: true });
    const a = request('a', { promptTokens: 72, outputTokens: 1, arrivalMs: 0 }, 'A');
    const b = request('b', { promptTokens: 72, outputTokens: 1, arrivalMs: 10 }, 'B');
    // 13 fresh blocks needed, 20 - 8 cached = 12 free: one cached block must go. (No hashes: C caches nothing.)
    const c = { ...uniqueRequest('c', { promptTokens: 208, outputTokens: 1, arrivalMs: 20 }), blockHashes: [] };
    const r1 = drive(engine, [a, b, c], { keepEvents: true });
    const removed = ofType(r1.events, 'kv-removed').flatMap((e) => e.hashes);
    assert.deepEqual(removed, [a.blockHashes[3]]);
    const a2 = request('a2', { promptTokens: 72, outputTokens: 1, arrivalMs: 100 }, 'A');
    const b2 = request('b2', { promptTokens: 72, outputTokens: 1, arrivalMs: 100 }, 'B');
    const r2 = drive(engine, [a2, b2]);
    assert.equal(r2.finished.get('a2')?.cachedTokens, 48); // A's tail block was evicted
    assert.equal(r2.finished.get('b2')?.cachedTokens, 64); // B was used more recently: intact
  });

  test('kv-stored events chain parents; disabled prefix caching never hits', () => {
    const engine = createEngine(h100, { emitKvEvents: true });
    const a = request('a', { promptTokens: 100, outputTokens: 2 });
    const r = drive(engine, [a], { keepEvents: true });
    const stored = ofType(r.events, 'kv-stored');
    assert.deepEqual(stored.flatMap((e) => e.hashes), a.blockHashes);
    assert.equal(stored[0]?.parentHash, null);

    const off = createEngine(replicaSpec('llama-3.1-8b', 'h100-sxm', 1, { enablePrefixCaching: false }));
    const r2 = drive(off, [a, { ...a, id: 'b', arrivalMs: 1000 }]);
    assert.equal(r2.finished.get('b')?.cachedTokens, 0);
  });
});

describe('engine: scheduling', () => {
  test('chunked prefill keeps every step within the token budget', () => {
    const spec = replicaSpec('llama-3.1-8b', 'h100-sxm', 1, { maxNumBatchedTokens: 512 });
    const engine = createEngine(spec);
    const reqs = [
      uniqueRequest('long', { promptTokens: 2000, outputTokens: 20 }),
      uniqueRequest('short', { promptTokens: 100, outputTokens: 20, arrivalMs: 1 }),
      uniqueRequest('late', { promptTokens: 3000, outputTokens: 5, arrivalMs: 30 }),
    ];
    let prefillSteps = 0;
    let now = 0;
    let next = 0;
    while (next < reqs.length || engine.hasWork()) {
      while (next < reqs.length && (reqs[next]?.arrivalMs ?? 0) <= now) engine.add(reqs[next++]!, now);
      if (!engine.hasWork()) {
        now = reqs[next]?.arrivalMs ?? now;
        continue;
      }
      const s = engine.step(now);
      assert.ok(s.prefillTokens + s.decodeTokens <= 512, `step used ${s.prefillTokens + s.decodeTokens}`);
      if (s.prefillTokens > 0) prefillSteps++;
      now = s.endMs;
    }
    assert.ok(prefillSteps >= Math.ceil(5100 / 512));
  });

  test('lower priority numbers run first, FCFS within a priority', () => {
    const spec = replicaSpec('llama-3.1-8b', 'h100-sxm', 1, { maxNumSeqs: 1 });
    const engine = createEngine(spec);
    const reqs = [
      uniqueRequest('batch-1', { promptTokens: 50, outputTokens: 3, priority: 2 }),
      uniqueRequest('interactive', { promptTokens: 50, outputTokens: 3, priority: 0 }),
      uniqueRequest('batch-2', { promptTokens: 50, outputTokens: 3, priority: 2 }),
      uniqueRequest('normal', { promptTokens: 50, outputTokens: 3, priority: 1 }),
    ];
    for (const r of reqs) engine.add(r, 0);
    const r = drive(engine, [], { keepEvents: true });
    assert.deepEqual(
      ofType(r.events, 'scheduled').map((e) => e.id),
      ['interactive', 'normal', 'batch-1', 'batch-2'],
    );
  });

  test('the running-sequence cap holds', () => {
    const spec = replicaSpec('llama-3.1-8b', 'h100-sxm', 1, { maxNumSeqs: 4 });
    const engine = createEngine(spec);
    for (let i = 0; i < 10; i++) engine.add(uniqueRequest(`r${i}`, { promptTokens: 30, outputTokens: 50 }), 0);
    let now = 0;
    while (engine.hasWork()) {
      const s = engine.step(now);
      assert.ok(engine.state(s.endMs).running <= 4);
      assert.ok(s.decodeTokens <= 4);
      now = s.endMs;
    }
  });

  test('KV pressure preempts the newest lowest-priority request by recompute; all still finish', () => {
    const spec = tinySpec(12);
    const engine = createEngine(spec);
    const reqs = [
      uniqueRequest('old', { promptTokens: 48, outputTokens: 120 }),
      uniqueRequest('new', { promptTokens: 48, outputTokens: 120, arrivalMs: 0.001 }),
    ];
    const r = drive(engine, reqs, { keepEvents: true });
    const preempted = ofType(r.events, 'preempted').map((e) => e.id);
    assert.ok(preempted.length > 0);
    assert.ok(preempted.every((id) => id === 'new'));
    assert.equal(r.finished.get('old')?.outputTokens, 120);
    assert.equal(r.finished.get('old')?.preemptions, 0);
    assert.equal(r.finished.get('new')?.outputTokens, 120);
    assert.ok((r.finished.get('new')?.preemptions ?? 0) >= 1);
    assert.equal(ofType(r.events, 'first-token').filter((e) => e.id === 'new').length, 1);
    const state = engine.state(r.endMs);
    assert.equal(state.kvBlocksUsed, 0);
    assert.equal(state.preemptions, preempted.length);
    assert.equal(state.pendingPrefillTokens, 0);
  });

  test('preemption takes the lower-priority request even when it is older', () => {
    const spec = tinySpec(12);
    const engine = createEngine(spec);
    const reqs = [
      uniqueRequest('background', { promptTokens: 48, outputTokens: 120, priority: 5 }),
      uniqueRequest('urgent', { promptTokens: 48, outputTokens: 120, priority: 0, arrivalMs: 0.001 }),
    ];
    const r = drive(engine, reqs, { keepEvents: true });
    const preempted = ofType(r.events, 'preempted').map((e) => e.id);
    assert.ok(preempted.length > 0 && preempted.every((id) => id === 'background'));
  });

  test('abort frees blocks and reports finished with aborted=true at the next step', () => {
    const engine = createEngine(h100, { emitTokenEvents: true });
    engine.add(uniqueRequest('gone', { promptTokens: 500, outputTokens: 1000 }), 0);
    engine.add(uniqueRequest('waiting', { promptTokens: 500, outputTokens: 10 }), 0);
    let now = 0;
    for (let i = 0; i < 5; i++) now = engine.step(now).endMs;
    assert.ok(engine.state(now).kvBlocksUsed > 0);
    engine.abort('gone', now);
    engine.abort('nobody', now);
    const s = engine.step(now);
    const fin = ofType(s.events, 'finished').find((e) => e.id === 'gone');
    assert.equal(fin?.aborted, true);
    assert.equal(fin?.outputTokens, 5);
    assert.equal(fin?.atMs, now);
    const rest = drive(engine, [], { keepEvents: true });
    assert.equal(rest.finished.get('waiting')?.aborted, false);
    assert.equal(engine.state(rest.endMs).kvBlocksUsed, 0);
    assert.equal(engine.hasWork(), false);
  });

  test('requests that can never run finish at once, aborted', () => {
    const engine = createEngine(h100);
    engine.add(uniqueRequest('huge', { promptTokens: 200_000, outputTokens: 10 }), 0);
    assert.equal(engine.hasWork(), true);
    const s = engine.step(0);
    assert.equal(ofType(s.events, 'finished')[0]?.aborted, true);
    assert.equal(engine.hasWork(), false);
  });

  test('bad input is refused clearly', () => {
    const engine = createEngine(h100);
    engine.add(uniqueRequest('x', { promptTokens: 10, outputTokens: 1 }), 0);
    assert.throws(() => engine.add(uniqueRequest('x', { promptTokens: 10, outputTokens: 1 }), 0), /already in the engine/);
    assert.throws(
      () => engine.add(request('y', { promptTokens: 100, outputTokens: 1, hashBlockTokens: 24 }), 0),
      /hashBlockTokens 24 must be a positive multiple of the block size 16/,
    );
  });

  test('token events add up to each request\'s output', () => {
    const engine = createEngine(h100, { emitTokenEvents: true });
    const reqs = [0, 1, 2, 3].map((i) => uniqueRequest(`r${i}`, { promptTokens: 100 + i, outputTokens: 7 + i, arrivalMs: i * 3 }));
    const r = drive(engine, reqs, { keepEvents: true });
    for (const q of reqs) {
      const sum = ofType(r.events, 'tokens').filter((e) => e.id === q.id).reduce((a, e) => a + e.count, 0);
      assert.equal(sum, q.outputTokens);
      assert.equal(r.finished.get(q.id)?.outputTokens, q.outputTokens);
    }
  });
});

describe('engine: KV accounting', () => {
  test('a decoder holds exactly ceil(context / blockSize) blocks at every step', () => {
    for (const prompt of [1, 15, 16, 17, 40]) {
      const engine = createEngine(h100);
      engine.add({ ...uniqueRequest('r', { promptTokens: prompt, outputTokens: 70 }), blockHashes: [] }, 0);
      let now = 0;
      let steps = 0;
      while (engine.hasWork()) {
        const s = engine.step(now);
        now = s.endMs;
        steps++;
        const done = s.events.some((e) => e.type === 'finished');
        // After step k the KV holds the prompt plus k - 1 generated tokens (the newest token has no KV yet).
        const expected = done ? 0 : Math.ceil((prompt + steps - 1) / 16);
        assert.equal(engine.state(now).kvBlocksUsed, expected, `prompt ${prompt}, step ${steps}`);
      }
      assert.equal(steps, 70);
    }
  });

  test('many decoders joining at different times: usage matches the sum of their contexts', () => {
    const engine = createEngine(h100, { emitTokenEvents: true });
    const reqs = Array.from({ length: 40 }, (_, i) => ({
      ...uniqueRequest(`r${i}`, { promptTokens: 10 + 7 * i, outputTokens: 30 + i, arrivalMs: i * 2 }),
      blockHashes: [],
    }));
    const prompt = new Map(reqs.map((r) => [r.id, r.promptTokens]));
    const tokens = new Map<string, number>();
    let next = 0;
    let now = 0;
    let checks = 0;
    while (next < reqs.length || engine.hasWork()) {
      while (next < reqs.length && reqs[next]!.arrivalMs <= now) engine.add(reqs[next]!, reqs[next++]!.arrivalMs);
      if (!engine.hasWork()) {
        now = reqs[next]!.arrivalMs;
        continue;
      }
      const s = engine.step(now);
      now = s.endMs;
      for (const e of s.events) {
        if (e.type === 'tokens') tokens.set(e.id, (tokens.get(e.id) ?? 0) + e.count);
        if (e.type === 'finished') tokens.delete(e.id);
      }
      // Prompts are small and arrivals spread, so every prefill completes in its first step.
      let blocks = 0;
      for (const [id, n] of tokens) blocks += Math.ceil((prompt.get(id)! + n - 1) / 16);
      assert.equal(engine.state(now).kvBlocksUsed, blocks);
      checks++;
    }
    assert.ok(checks > 60);
  });

  test('with chunked prefill off, a long prompt runs whole in one step', () => {
    const spec = replicaSpec('llama-3.1-8b', 'h100-sxm', 1, { enableChunkedPrefill: false, maxNumBatchedTokens: 2048 });
    const engine = createEngine(spec);
    engine.add(uniqueRequest('long', { promptTokens: 5000, outputTokens: 2 }), 0);
    engine.add(uniqueRequest('short', { promptTokens: 100, outputTokens: 2 }), 0);
    const first = engine.step(0);
    assert.equal(first.prefillTokens, 5000);
    const second = engine.step(first.endMs);
    assert.equal(second.prefillTokens, 100);
  });

  test('a prompt prefilled over several chunks stores its hash blocks in order, each batch chained to the last', () => {
    const spec = replicaSpec('llama-3.1-8b', 'h100-sxm', 1, { maxNumBatchedTokens: 256 });
    const engine = createEngine(spec, { emitKvEvents: true });
    const a = request('a', { promptTokens: 1000, outputTokens: 1 });
    const r = drive(engine, [a], { keepEvents: true });
    const stored = ofType(r.events, 'kv-stored');
    assert.ok(stored.length >= 4);
    assert.deepEqual(stored.flatMap((e) => e.hashes), a.blockHashes);
    for (let i = 1; i < stored.length; i++) {
      const prev = stored[i - 1]!.hashes;
      assert.equal(stored[i]!.parentHash, prev[prev.length - 1]);
    }
  });
});

describe('engine: KV event order', () => {
  test('replaying kv-stored / kv-removed in order reproduces exactly the cached hashes', () => {
    const spec = tinySpec(60, { maxNumBatchedTokens: 128, maxNumSeqs: 16 });
    const engine = createEngine(spec, { emitKvEvents: true });
    const reqs = Array.from({ length: 120 }, (_, i) =>
      request(`r${i}`, { promptTokens: 40 + ((i * 37) % 300), outputTokens: 1 + (i % 17), arrivalMs: i * 3 }, `p${i % 7}`),
    );
    const r = drive(engine, reqs, { keepEvents: true });
    const cached = new Set<number>();
    for (const e of r.events) {
      if (e.type === 'kv-stored') for (const h of e.hashes) cached.add(h);
      if (e.type === 'kv-removed') for (const h of e.hashes) assert.ok(cached.delete(h), `removed ${h} that was not stored`);
    }
    assert.ok(ofType(r.events, 'kv-removed').length > 0, 'the run must evict');
    // Every hash still cached must hit: a follow-up request per prefix finds its stored blocks.
    for (const h of cached) assert.ok(reqs.some((q) => q.blockHashes.includes(h)));
    // One follow-up request per prefix, each alone on the engine, hits exactly the leading run still cached.
    let t = r.endMs;
    for (const q of reqs.slice(0, 7)) {
      t += 1000;
      const again = drive(engine, [{ ...q, id: `${q.id}-again`, arrivalMs: t }], { keepEvents: true });
      const limit = Math.min(q.blockHashes.length, Math.floor((q.promptTokens - 1) / 16));
      let expected = 0;
      while (expected < limit && cached.has(q.blockHashes[expected]!)) expected++;
      assert.equal(again.finished.get(`${q.id}-again`)?.cachedTokens, expected * 16, q.id);
      for (const e of again.events) {
        if (e.type === 'kv-stored') for (const h of e.hashes) cached.add(h);
        if (e.type === 'kv-removed') for (const h of e.hashes) cached.delete(h);
      }
      t = again.endMs;
    }
  });
});
