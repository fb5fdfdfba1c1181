import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine, replicaSpec } from '../engine/index.js';
import { drive } from '../engine/test-driver.js';
import type { EngineEvent, EngineRequest } from '../engine/types.js';
import { Pacer } from './pacer.js';
import { waitFor } from './test-support.js';

/**
 * The pacer must drive the engine exactly by its protocol: with the same arrivals, the events it delivers
 * carry the same engine times as a back-to-back discrete-event run (src/engine/test-driver.ts, the
 * simulator's loop in miniature). The wall clock is injected, so nothing here depends on real time.
 */
function requests(): Omit<EngineRequest, 'arrivalMs'>[] {
  return Array.from({ length: 24 }, (_, i) => ({
    id: `r${i}`,
    promptTokens: 200 + 37 * i,
    blockHashes: Array.from({ length: Math.floor((200 + 37 * i) / 16) }, (_, b) => (b < 8 ? 1000 + b : i * 10_000 + b)),
    hashBlockTokens: 16,
    outputTokens: 20 + ((i * 13) % 60),
    priority: 0,
  }));
}

describe('pacer', () => {
  test('delivers the same engine-time events as a discrete-event run of the same arrivals', async () => {
    const spec = replicaSpec('llama-3.1-8b', 'h100-sxm', 1, { maxNumSeqs: 8 });
    let wall = 0;
    const pacer = new Pacer(createEngine(spec, { emitTokenEvents: true, emitKvEvents: true }), { speed: 1, now: () => wall });
    const seen: EngineEvent[] = [];
    for (const r of requests()) pacer.submit(r, (e) => seen.push(e));
    // Every step is now due: the pacer catches up through timers alone.
    wall = 1e12;
    await waitFor(() => pacer.inFlight === 0, 'all requests to finish');
    pacer.close();

    const reference = drive(
      createEngine(spec, { emitTokenEvents: true, emitKvEvents: true }),
      requests().map((r) => ({ ...r, arrivalMs: 0 })),
      { keepEvents: true },
    );
    const key = (e: EngineEvent): string => ('id' in e ? `${e.type}:${e.id}:${e.atMs}` : '');
    const expected = reference.events.filter((e) => 'id' in e).map(key);
    assert.deepEqual(seen.map(key), expected);
    assert.equal(seen.filter((e) => e.type === 'finished').length, 24);
  });

  test('an abort mid-run ends the request with aborted=true and frees the engine', async () => {
    const spec = replicaSpec('llama-3.1-8b', 'h100-sxm', 1);
    let wall = 0;
    const engine = createEngine(spec, { emitTokenEvents: true });
    const pacer = new Pacer(engine, { speed: 1, now: () => wall });
    const events: EngineEvent[] = [];
    const [first] = requests();
    assert.ok(first);
    pacer.submit({ ...first, outputTokens: 10_000 }, (e) => {
      events.push(e);
      if (e.type === 'tokens' && events.filter((x) => x.type === 'tokens').length === 5) pacer.abort(first.id);
    });
    wall = 1e12;
    await waitFor(() => pacer.inFlight === 0, 'the aborted request to finish');
    const finished = events.find((e) => e.type === 'finished');
    assert.ok(finished && finished.type === 'finished' && finished.aborted);
    const state = engine.state(pacer.now());
    assert.equal(state.running + state.waiting, 0);
    assert.equal(state.kvBlocksUsed, 0, "its KV blocks are free again");
    pacer.close();
  });

  test('refuses a non-positive speed', () => {
    const engine = createEngine(replicaSpec('llama-3.1-8b', 'h100-sxm', 1));
    assert.throws(() => new Pacer(engine, { speed: 0 }), /speed must be positive/);
  });
});
