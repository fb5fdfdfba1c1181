import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hardwareProfile, kvCapacityBlocks, replicaSpec } from '../../engine/index.js';
import type { ReplicaState } from '../../spec/replica.js';
import type { Decision, FleetView, RequestFeatures } from '../../spec/routing.js';
import { Random } from '../../util/random.js';
import { createPolicy } from '../registry.js';
import { chain, replicaState, requestFeatures } from '../testing.js';
import { SwitchyardPolicy } from './switchyard.js';
import { tpotRisk } from './switchyard-estimate.js';

const MODEL = 'llama-3.1-8b';

/** A replica of Llama-3.1-8B on `hardware`, with the engine model's KV capacity, price and power. */
function replica(id: string, hardware: string, overrides: Partial<ReplicaState> = {}): ReplicaState {
  const h = hardwareProfile(hardware);
  return replicaState(id, {
    pool: hardware,
    hardware,
    modelProfile: MODEL,
    usdPerHour: h.usdPerHour,
    idleWatts: h.idleWatts,
    maxWatts: h.tdpWatts,
    kvBlocksTotal: kvCapacityBlocks(replicaSpec(MODEL, hardware)),
    ...overrides,
  });
}

function routed(decision: Decision): Extract<Decision, { kind: 'route' }> {
  assert.equal(decision.kind, 'route', JSON.stringify(decision));
  return decision as Extract<Decision, { kind: 'route' }>;
}

const INTERACTIVE = { ttftMs: 2000, tpotMs: 100 };
/** Decode-heavy: 256 tokens in, 512 out, where Trainium2's bandwidth per dollar makes it the cheap pool. */
const chat = (id: string, extra: Partial<RequestFeatures> = {}) =>
  requestFeatures(id, { promptTokens: 256, maxOutputTokens: 512, slo: INTERACTIVE, ...extra });

describe('switchyard policy', () => {
  test('prefers the pool that serves the request for fewer dollars, and says why', () => {
    const fleet: FleetView = { now: 0, replicas: [replica('h', 'h100-sxm'), replica('t', 'trainium2'), replica('l', 'l40s')] };
    const decision = routed(new SwitchyardPolicy().decide(chat('r'), fleet));
    assert.equal(decision.replicaId, 't');
    assert.match(decision.reason, /cheapest within objective: trainium2/);
    assert.ok((decision.estimate?.costUsd ?? 0) > 0 && (decision.estimate?.ttftMs ?? 0) > 0);
  });

  test('spills to the dearer pool exactly when the cheap one would miss the TTFT objective', () => {
    const policy = new SwitchyardPolicy({ latencyWeight: 0 });
    const picks: string[] = [];
    let spillAt = -1;
    for (let queued = 0; queued <= 40_000; queued += 2000) {
      const fleet: FleetView = {
        now: 0,
        replicas: [replica('t', 'trainium2', { pendingPrefillTokens: queued, running: 8 }), replica('h', 'h100-sxm', { running: 8 })],
      };
      const decision = routed(policy.decide(chat(`r${queued}`), fleet));
      picks.push(decision.replicaId);
      if (decision.replicaId === 'h' && spillAt < 0) spillAt = queued;
    }
    assert.ok(spillAt > 0, `spilled at ${spillAt}: ${picks.join('')}`);
    // Once spilled it stays spilled: the cheap pool only gets busier.
    assert.deepEqual(picks, picks.map((_, i) => (i * 2000 < spillAt ? 't' : 'h')));
    // Trainium2 prefills ~16k tokens/s (roofline): 2 s × 16k / 1.15 margin ≈ 28k queued tokens is the edge.
    assert.ok(spillAt >= 20_000 && spillAt <= 32_000, `spill at ${spillAt} queued tokens`);
  });

  test('prefix affinity falls out of the smaller uncached prefill', () => {
    const policy = new SwitchyardPolicy();
    const replicas = [replica('a', 'h100-sxm'), replica('b', 'h100-sxm'), replica('c', 'h100-sxm')];
    const prompt = chain([1, 2, 3, 4], 100, 60); // 64 blocks × 16 = 1024 tokens
    const r1 = chat('r1', { blockHashes: prompt, promptTokens: 1024 });
    const first = routed(policy.decide(r1, { now: 0, replicas })).replicaId;
    policy.onDispatch(r1, first);
    // The replica that holds the prefix is chosen again even with a few more sequences running.
    const busier = replicas.map((r) => (r.id === first ? { ...r, running: 4 } : r));
    const again = routed(policy.decide(chat('r2', { blockHashes: prompt, promptTokens: 1040 }), { now: 0, replicas: busier }));
    assert.equal(again.replicaId, first);
    assert.equal(again.estimate?.cachedTokens, 1024);
  });

  test('drops replicas that would miss the TPOT objective or lack KV room', () => {
    const policy = new SwitchyardPolicy();
    const slow = replica('l', 'l40s'); // ~26 ms per step at batch 1 on L40S
    const fast = replica('h', 'h100-sxm', { kvUsage: 0.999 });
    const tight = chat('r', { slo: { ttftMs: 2000, tpotMs: 20 } });
    const decision = policy.decide(tight, { now: 0, replicas: [slow, fast] });
    assert.equal(decision.kind, 'queue', 'L40S misses the 20 ms TPOT and the H100 has no KV room');
    assert.equal(routed(policy.decide(tight, { now: 0, replicas: [slow, { ...fast, kvUsage: 0.2 }] })).replicaId, 'h');
  });

  test('queues when waiting could meet the objective, rejects with a retry-after when it could not', () => {
    const policy = new SwitchyardPolicy();
    const busy = (tokens: number) => ({ now: 0, replicas: [replica('h', 'h100-sxm', { pendingPrefillTokens: tokens })] });
    assert.equal(policy.decide(chat('r1'), busy(90_000)).kind, 'queue'); // ~2.8 s of work: wait it out
    const far = policy.decide(chat('r2'), busy(400_000)); // ~12 s of work
    assert.equal(far.kind, 'reject');
    assert.ok(far.kind === 'reject' && far.retryAfterMs >= 1000 && far.retryAfterMs <= 60_000, JSON.stringify(far));
    // A queued request that already waited has less budget left.
    const waited = policy.decide(chat('r3', { arrivalMs: 0 }), { ...busy(50_000), now: 1500 });
    assert.notEqual(waited.kind, 'route');
  });

  test('a prompt no replica can prefill in time goes best-effort to the fastest idle one, else is rejected', () => {
    const policy = new SwitchyardPolicy();
    const huge = chat('r', { promptTokens: 120_000 });
    const idle = { now: 0, replicas: [replica('t', 'trainium2'), replica('h', 'h100-sxm')] };
    const best = routed(policy.decide(huge, idle));
    assert.equal(best.replicaId, 'h');
    assert.match(best.reason, /best effort/);
    const congested = { now: 0, replicas: idle.replicas.map((r) => ({ ...r, pendingPrefillTokens: 100_000 })) };
    assert.equal(policy.decide(huge, congested).kind, 'reject');
  });

  test('batch work only backfills: it queues where an interactive request would still be placed', () => {
    const policy = new SwitchyardPolicy();
    const moderately = { now: 0, replicas: [replica('h', 'h100-sxm', { pendingPrefillTokens: 30_000, running: 40 })] };
    assert.equal(routed(policy.decide(chat('i'), moderately)).replicaId, 'h');
    assert.equal(policy.decide(chat('b', { priority: 'batch' }), moderately).kind, 'queue');
    const idle = { now: 0, replicas: [replica('h', 'h100-sxm')] };
    assert.equal(routed(policy.decide(chat('b2', { priority: 'batch' }), idle)).replicaId, 'h');
  });

  test('learns a per-replica correction from observed TTFT and spills earlier', () => {
    const policy = new SwitchyardPolicy({ latencyWeight: 0 });
    const fleet = (queued: number): FleetView => ({
      now: 0,
      replicas: [replica('t', 'trainium2', { pendingPrefillTokens: queued }), replica('h', 'h100-sxm')],
    });
    assert.equal(routed(policy.decide(chat('probe'), fleet(16_000))).replicaId, 't');
    // Trainium2 turns out twice as slow as modelled.
    for (let i = 0; i < 40; i++) {
      const r = chat(`obs${i}`);
      const d = routed(policy.decide(r, fleet(0)));
      const predicted = d.estimate?.ttftMs ?? 0;
      policy.onComplete(r, d.replicaId, 0, { ok: true, outputTokens: 512, ttftMs: 2 * predicted, tpotMs: 1 });
    }
    assert.ok(policy.corrections.ttftFactor('t') > 1.8, `factor ${policy.corrections.ttftFactor('t')}`);
    assert.equal(routed(policy.decide(chat('after'), fleet(16_000))).replicaId, 'h');
  });

  test('requests without an objective are always placed, cheapest first', () => {
    const policy = new SwitchyardPolicy();
    const loaded = { now: 0, replicas: [replica('t', 'trainium2', { pendingPrefillTokens: 200_000 }), replica('l', 'l40s', { pendingPrefillTokens: 150_000 })] };
    assert.equal(routed(policy.decide(chat('r', { slo: {} }), loaded)).replicaId, 't');
    const full = loaded.replicas.map((r) => ({ ...r, kvUsage: 1 }));
    assert.equal(routed(policy.decide(chat('r2', { slo: {} }), { now: 0, replicas: full })).replicaId, 't');
  });
});

describe('determinism', () => {
  test('every policy makes the same decisions for the same sequence of states', () => {
    const hardware = ['h100-sxm', 'trainium2', 'l40s'];
    const run = (name: string) => {
      const random = new Random(42);
      const policy = createPolicy(name, { seed: 7 });
      const out: string[] = [];
      for (let i = 0; i < 300; i++) {
        const replicas = Array.from({ length: 6 }, (_, k) =>
          replica(`r${k}`, hardware[k % 3] as string, {
            running: random.int(64),
            waiting: random.int(8),
            pendingPrefillTokens: random.int(40_000),
            kvUsage: random.next() * 0.9,
          }),
        );
        const prompt = chain([1, 2], 1000 + random.int(20) * 100, random.int(40));
        const request = chat(`q${i}`, { blockHashes: prompt, promptTokens: prompt.length * 16 + 5, arrivalMs: i * 10 });
        const d = policy.decide(request, { now: i * 10, replicas });
        out.push(d.kind === 'route' ? d.replicaId : d.kind);
        if (d.kind === 'route') policy.onDispatch?.(request, d.replicaId, i * 10);
        if (d.kind === 'route') policy.onComplete?.(request, d.replicaId, i * 10 + 5, { ok: true, outputTokens: 100, ttftMs: 300 });
      }
      return out;
    };
    for (const name of ['round-robin', 'random', 'least-loaded', 'llm-d', 'dynamo', 'sglang', 'switchyard']) {
      const first = run(name);
      assert.deepEqual(run(name), first, name);
      assert.ok(new Set(first).size > 1, `${name} makes more than one kind of decision`);
    }
  });
});

describe('switchyard TPOT protection', () => {
  test('tpotRisk: short answers meeting a long prefill chunk are at risk, long ones are not', () => {
    // 4 tokens (3 decode steps of 20 ms), 80% of the time in 500 ms chunk steps: one chunk step misses
    // 100 ms; chunk steps are p = (0.8/500) / (0.8/500 + 0.2/20) ≈ 14% of steps: P(≥1 in 3) ≈ 1 − e^−0.41.
    const short = tpotRisk(4, 0.8, 500, 20, 100);
    assert.ok(Math.abs(short - (1 - Math.exp(-3 * (0.0016 / 0.0116)))) < 1e-9, `short ${short}`);
    // At 30% prefill a long answer averages out; the same 4-token answer still is at risk.
    const long = tpotRisk(300, 0.3, 500, 20, 100);
    assert.ok(long < 1e-6, `long ${long}`);
    assert.ok(tpotRisk(4, 0.3, 500, 20, 100) > 0.01);
    assert.equal(tpotRisk(4, 0.8, 500, 20, Infinity), 0);
    assert.equal(tpotRisk(4, 0.8, 500, 120, 100), 1);
    assert.ok(tpotRisk(4, 0.9, 500, 20, 100) > short, 'more prefill, more risk');
  });

  test("a long prompt avoids the replica whose running short answers its prefill would stall", () => {
    const policy = new SwitchyardPolicy();
    // Teach the policy that answers are short (mean 8 tokens): a running sequence has ~2 tokens left.
    for (let i = 0; i < 30; i++) policy.onComplete(chat(`o${i}`), 'x', 0, { ok: true, outputTokens: 8 });
    const busy = replica('t1', 'trainium2', { running: 6, pendingPrefillTokens: 4000 });
    const idle = replica('t2', 'trainium2', { running: 0 });
    const long = chat('long', { promptTokens: 6000, maxOutputTokens: 8 });
    assert.equal(routed(policy.decide(long, { now: 0, replicas: [busy, idle] })).replicaId, 't2');
    // With only the busy replica, it waits rather than stall the answers in flight.
    assert.equal(policy.decide(chat('long2', { promptTokens: 6000, maxOutputTokens: 8 }), { now: 0, replicas: [busy] }).kind, 'queue');
  });
});
