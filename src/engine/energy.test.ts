import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from './engine.js';
import { powerWatts } from './power.js';
import { replicaSpec } from './replica-spec.js';
import { drive } from './test-driver.js';
import { request, tinySpec, uniqueRequest } from './test-fixtures.js';
import type { EngineRequest, ReplicaSpec } from './types.js';

/** A deterministic mixed workload: shared prefixes, bursts and idle gaps, varied priorities. */
function workload(n: number): EngineRequest[] {
  const out: EngineRequest[] = [];
  let t = 0;
  let x = 12345;
  const rnd = (): number => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x / 4294967296;
  };
  for (let i = 0; i < n; i++) {
    t += rnd() < 0.05 ? 2000 : rnd() * 20; // occasional idle gaps
    const prompt = 32 + Math.floor(rnd() * 3000);
    const fields = { promptTokens: prompt, outputTokens: 1 + Math.floor(rnd() * 300), arrivalMs: t, priority: Math.floor(rnd() * 3) };
    out.push(request(`r${i}`, fields, rnd() < 0.5 ? `sys${i % 4}` : `own${i}`));
  }
  return out;
}

function checkConservation(spec: ReplicaSpec, reqs: EngineRequest[]): number {
  const engine = createEngine(spec);
  const r = drive(engine, reqs);
  assert.equal(r.finished.size, reqs.length);
  const perRequest = [...r.finished.values()].reduce((a, f) => a + f.energyJ, 0);
  // Every joule of every step is attributed to the tokens processed in it.
  assert.ok(Math.abs(perRequest - r.stepEnergyJ) <= 1e-9 * r.stepEnergyJ, `${perRequest} vs ${r.stepEnergyJ}`);
  const state = engine.state(r.endMs);
  const first = reqs[0]?.arrivalMs ?? 0;
  const idleJ = (powerWatts(spec, 0) * (r.endMs - first - state.busyMs)) / 1000;
  assert.ok(idleJ >= -1e-9 * state.energyJ);
  assert.ok(Math.abs(perRequest + idleJ - state.energyJ) <= 1e-9 * state.energyJ, `${perRequest} + ${idleJ} vs ${state.energyJ}`);
  // Idle keeps accruing after the last step.
  const later = engine.state(r.endMs + 1000).energyJ;
  assert.ok(Math.abs(later - state.energyJ - powerWatts(spec, 0)) < 1e-6);
  return idleJ;
}

describe('energy', () => {
  test('per-request energy + idle energy = total energy (H100, prefix sharing)', () => {
    const idleJ = checkConservation(replicaSpec('llama-3.1-8b', 'h100-sxm'), workload(300));
    assert.ok(idleJ > 0, 'the workload has idle gaps');
  });

  test('conservation holds under preemption (tiny KV) and with TP', () => {
    checkConservation(tinySpec(300), workload(200));
    checkConservation(replicaSpec('llama-3.1-70b', 'h100-sxm', 4), workload(100));
  });

  test('a request that waits is not charged for steps it is not in', () => {
    const spec = replicaSpec('llama-3.1-8b', 'h100-sxm', 1, { maxNumSeqs: 1 });
    const engine = createEngine(spec);
    const a = uniqueRequest('a', { promptTokens: 100, outputTokens: 50 });
    const b = uniqueRequest('b', { promptTokens: 100, outputTokens: 50 });
    const r = drive(engine, [a, b]);
    const ea = r.finished.get('a')?.energyJ ?? 0;
    const eb = r.finished.get('b')?.energyJ ?? 0;
    assert.ok(Math.abs(ea - eb) / ea < 1e-9);
  });
});

describe('determinism', () => {
  test('the same inputs give the same events, to the bit', () => {
    const spec = tinySpec(400);
    const run = () => drive(createEngine(spec, { emitKvEvents: true, emitTokenEvents: true }), workload(150), { keepEvents: true });
    const a = run();
    const b = run();
    assert.ok(a.events.length > 1000);
    // Compared as text: a deepEqual failure would print 20k events.
    assert.ok(JSON.stringify(a.events) === JSON.stringify(b.events), 'event streams differ');
    assert.equal(a.endMs, b.endMs);
  });
});
