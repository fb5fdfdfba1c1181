import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { powerWatts, prefillTimeMs } from '../engine/index.js';
import { POLICY_NAMES } from '../scheduler/registry.js';
import type { Decision, FleetView, RequestFeatures, RoutingPolicy } from '../spec/routing.js';
import { sharedTrace } from './__fixtures__/shared-traces.js';
import { buildFleet } from './build-fleet.js';
import type { FleetFile } from './fleet-file.js';
import { runSimulation } from './simulate.js';
import type { SimRequest } from './types.js';
import { defaultSpec } from './workload/kinds.js';

const fleet = (replicas: number, extra: Partial<FleetFile['pools'][number]> = {}): FleetFile => ({
  pools: [{ name: 'h100', hardware: 'h100-sxm', model: 'llama-3.1-8b', tensorParallel: 1, replicas, ...extra }],
});

const req = (arrivalMs: number, promptTokens: number, outputTokens: number, blockHashes: number[] = []): SimRequest => ({
  arrivalMs,
  promptTokens,
  outputTokens,
  blockHashes,
  blockTokens: 512,
});

describe('event loop with the engine model', () => {
  test('every request completes, once, on the replica the policy picked', () => {
    const requests = Array.from({ length: 200 }, (_, i) => req(i * 50, 500 + (i % 7) * 300, 20 + (i % 5) * 10));
    const { result } = runSimulation({ requests, fleet: fleet(3), policy: 'round-robin' });
    assert.equal(result.requests, 200);
    assert.equal(result.completed, 200);
    assert.equal(result.rejected, 0);
    assert.equal(result.per_pool[0]!.routed, 200);
    assert.equal(result.input_tokens, requests.reduce((s, r) => s + r.promptTokens, 0));
    assert.equal(result.output_tokens, requests.reduce((s, r) => s + r.outputTokens, 0));
    assert.ok(result.duration_s >= 199 * 0.05);
  });

  test('TTFT is at least the prefill time of the prompt on an idle replica', () => {
    const [pool] = buildFleet(fleet(1));
    for (const prompt of [100, 2000, 16000]) {
      const { result } = runSimulation({ requests: [req(0, prompt, 5)], fleet: fleet(1), policy: 'least-loaded' });
      const prefill = prefillTimeMs(pool!.spec, prompt); // the JSON rounds to 1 µs, hence the 0.5 µs slack
      assert.ok(result.ttft_ms.p50 >= prefill - 0.0005, `prompt ${prompt}: TTFT ${result.ttft_ms.p50} < prefill ${prefill}`);
      assert.ok(result.e2e_ms.p50 > result.ttft_ms.p50);
      assert.ok(result.tpot_ms.p50 > 0);
    }
  });

  test('SLO attainment and goodput on a hand-checked case', () => {
    // Far apart, so they never share a batch: a 100-token prompt gets its first token in tens of ms, a
    // 60,000-token prompt takes seconds of prefill. TTFT SLO 1 s: the first meets it, the second does not.
    const requests = [req(0, 100, 1), req(10_000, 60_000, 1)];
    const { result } = runSimulation({ requests, fleet: fleet(1), policy: 'round-robin', slo: { ttftMs: 1000, tpotMs: 0.001 } });
    assert.ok(result.ttft_ms.p50 < 1000 && result.ttft_ms.p99 > 1000, JSON.stringify(result.ttft_ms));
    // One-token answers have no TPOT, so the absurd TPOT objective does not fail them.
    assert.equal(result.slo_attainment, 0.5);
    assert.equal(result.trace_span_s, 10);
    assert.equal(result.goodput_rps, 0.1);
    // Per-request records agree with the summary.
    const recorded = runSimulation({ requests, fleet: fleet(1), policy: 'round-robin', recordRequests: true }).requests!;
    assert.deepEqual(recorded.map((r) => [r.index, r.outcome, r.replica, r.promptTokens, r.outputTokens]), [[0, 'completed', 'h100-0', 100, 1], [1, 'completed', 'h100-0', 60000, 1]]);
    assert.ok(recorded[0]!.firstTokenMs - recorded[0]!.arrivalMs < 1000 && recorded[1]!.firstTokenMs - recorded[1]!.arrivalMs > 1000);
    assert.ok(recorded.every((r) => r.finishMs >= r.firstTokenMs));
    // With two output tokens the TPOT objective now fails both.
    const strict = runSimulation({ requests: requests.map((r) => ({ ...r, outputTokens: 2 })), fleet: fleet(1), policy: 'round-robin', slo: { tpotMs: 0.001 } });
    assert.equal(strict.result.slo_attainment, 0);
    const none = runSimulation({ requests, fleet: fleet(1), policy: 'round-robin' });
    assert.equal(none.result.slo_attainment, 1);
  });

  test('shared prefixes hit the cache, and the precise index reaches the policy', () => {
    const seen: number[] = [];
    const policy: RoutingPolicy = {
      name: 'probe',
      decide(request: RequestFeatures, view: FleetView): Decision {
        seen.push(view.prefix?.matchedBlocks('h100-0', request.blockHashes) ?? -1);
        return { kind: 'route', replicaId: 'h100-0', reason: 'only one' };
      },
    };
    const requests = [req(0, 2048, 4, [1, 2, 3, 4]), req(5000, 2100, 4, [1, 2, 3, 4])];
    const { result } = runSimulation({ requests, fleet: fleet(1), policy });
    assert.deepEqual(seen, [0, 4]);
    assert.ok(result.prefix_hit_rate > 0.4, `hit rate ${result.prefix_hit_rate}`);
    assert.ok(result.cached_tokens >= 2048 - 512);
  });

  test('cost, energy and utilisation follow the duration and the price', () => {
    const { result } = runSimulation({ requests: [req(0, 1000, 50), req(3_600_000, 1000, 50)], fleet: fleet(2, { usdPerHour: 2 }), policy: 'round-robin' });
    const hours = result.duration_s / 3600;
    assert.ok(Math.abs(result.cost_usd - 2 * 2 * hours) < 1e-5);
    assert.ok(result.per_pool[0]!.utilisation > 0 && result.per_pool[0]!.utilisation < 0.01);
    assert.ok(result.energy_j > 0 && result.tokens_per_joule > 0);
    assert.ok(Math.abs(result.usd_per_mtok - (result.cost_usd * 1e6) / 2100) < 1e-3);
    // Idle replicas draw idle power for the whole run, including one that never got a request.
    const [pool] = buildFleet(fleet(1));
    const idleW = powerWatts(pool!.spec, 0);
    const three = runSimulation({ requests: [req(0, 1000, 50), req(600_000, 1000, 50)], fleet: fleet(3), policy: 'least-loaded' }).result;
    const allIdle = 3 * idleW * three.duration_s;
    assert.ok(three.energy_j > allIdle && three.energy_j < allIdle * 1.01, `${three.energy_j} J vs ${allIdle} J idle`);
  });
});

/** Routes while the replica has fewer than `limit` requests, holds the rest, rejects huge prompts. */
class GatePolicy implements RoutingPolicy {
  readonly name = 'gate';
  dispatched = 0;
  completed = 0;
  readonly order: string[] = [];
  constructor(readonly limit: number) {}
  decide(request: RequestFeatures, view: FleetView): Decision {
    if (request.promptTokens > 50_000) return { kind: 'reject', reason: `prompt of ${request.promptTokens} tokens is too long`, retryAfterMs: 1000 };
    const replica = view.replicas.find((r) => r.running + r.waiting < this.limit);
    return replica === undefined ? { kind: 'queue', reason: 'busy' } : { kind: 'route', replicaId: replica.id, reason: 'room' };
  }
  onDispatch(request: RequestFeatures): void {
    this.dispatched++;
    this.order.push(request.id);
  }
  onComplete(): void {
    this.completed++;
  }
}

describe('queue and reject decisions', () => {
  const burst = (n: number) => Array.from({ length: n }, (_, i) => req(i * 0.001, 800, 30));

  test('held requests are re-offered in FIFO order as capacity frees, and all complete', () => {
    const policy = new GatePolicy(2);
    const { result } = runSimulation({ requests: [...burst(20), req(1, 60_000, 5), req(2, 70_500, 5)], fleet: fleet(1), policy });
    assert.equal(result.requests, 22);
    assert.equal(result.completed, 20);
    assert.equal(result.rejected, 2);
    // Reasons are counted with their numbers taken out, so per-request explanations group together.
    assert.deepEqual(result.reject_reasons, { 'prompt of N tokens is too long': 2 });
    assert.equal(result.queued, 18);
    assert.equal(policy.dispatched, 20);
    assert.equal(policy.completed, 20);
    assert.deepEqual(policy.order, Array.from({ length: 20 }, (_, i) => String(i)));
    // Waiting in the fleet queue counts toward TTFT: the last ones waited for nine pairs ahead of them.
    assert.ok(result.ttft_ms.p99 > 5 * result.ttft_ms.p50 || result.ttft_ms.p99 > 8 * 100, JSON.stringify(result.ttft_ms));
    assert.equal(result.slo_attainment, Math.round((20 / 22) * 1e6) / 1e6);
  });

  test('a full queue rejects, and held requests time out', () => {
    const full = runSimulation({ requests: burst(20), fleet: fleet(1), policy: new GatePolicy(2), queue: { capacity: 5 }, recordRequests: true });
    const rejected = full.requests!.filter((r) => r.outcome === 'rejected');
    assert.deepEqual(rejected.map((r) => r.index), Array.from({ length: 13 }, (_, i) => i + 7));
    assert.ok(rejected.every((r) => r.reason === 'queue full' && r.replica === ''));
    assert.equal(full.result.rejected, 13);
    assert.deepEqual(full.result.reject_reasons, { 'queue full': 13 });
    assert.equal(full.result.completed, 7);
    const timeout = runSimulation({ requests: burst(20), fleet: fleet(1), policy: new GatePolicy(2), queue: { timeoutMs: 1 } });
    assert.equal(timeout.result.completed + timeout.result.rejected, 20);
    assert.ok((timeout.result.reject_reasons['queue timeout'] ?? 0) > 0);
  });

  test('a policy that always queues ends in timeouts, not a hang', () => {
    const never: RoutingPolicy = { name: 'never', decide: () => ({ kind: 'queue', reason: 'never' }) };
    const { result } = runSimulation({ requests: burst(3), fleet: fleet(1), policy: never, queue: { timeoutMs: 500 } });
    assert.deepEqual(result.reject_reasons, { 'queue timeout': 3 });
    assert.ok(result.duration_s >= 0.5 && result.duration_s < 0.7);
  });
});

describe('determinism and workloads', () => {
  test('every registered policy runs a mixed fleet to the end, deterministically', () => {
    const mixed: FleetFile = {
      pools: [
        { name: 'fast', hardware: 'h100-sxm', model: 'llama-3.1-8b', tensorParallel: 1, replicas: 2 },
        { name: 'cheap', hardware: 'l4', model: 'llama-3.1-8b', tensorParallel: 1, replicas: 2 },
      ],
    };
    const synthetic = { ...defaultSpec('agent'), requests: 300, ratePerS: 15 };
    for (const policy of POLICY_NAMES) {
      const run = () => runSimulation({ synthetic, fleet: mixed, policy, slo: { ttftMs: 1000, tpotMs: 80 }, seed: 3 }).result;
      const result = run();
      assert.equal(result.completed + result.rejected + result.aborted, 300, policy);
      assert.equal(result.per_pool.reduce((s, p) => s + p.routed, 0), result.completed + result.aborted, policy);
      assert.deepEqual(run(), result, policy);
    }
  });

  test('the same inputs and seed give identical JSON; another seed differs', () => {
    const run = (seed: number) =>
      JSON.stringify(
        runSimulation({ synthetic: { ...defaultSpec('conversation'), requests: 300, ratePerS: 20 }, fleet: fleet(2), policy: 'random', seed, slo: { ttftMs: 500 } }).result,
      );
    assert.equal(run(5), run(5));
    assert.notEqual(run(5), run(6));
  });

  test('requests naming a model go to the pools serving it; unnamed ones may go anywhere', () => {
    const two: FleetFile = {
      pools: [
        { name: 'small', hardware: 'l4', model: 'llama-3.1-8b', tensorParallel: 1, replicas: 1 },
        { name: 'big', hardware: 'h100-sxm', model: 'qwen3-32b', tensorParallel: 1, replicas: 1 },
      ],
    };
    const named = (model: string | undefined, at: number): SimRequest => ({ ...req(at, 200, 4), ...(model === undefined ? {} : { model }) });
    const requests = [named('qwen3-32b', 0), named('qwen3-32b', 1), named('qwen3-32b', 2), named(undefined, 3), named(undefined, 4), named('gpt-9', 5)];
    const { result } = runSimulation({ requests, fleet: two, policy: 'round-robin', recordRequests: true });
    assert.deepEqual(result.per_pool.map((p) => p.routed), [1, 4]);
    assert.equal(result.rejected, 1);
    assert.deepEqual(Object.keys(result.reject_reasons), ['no healthy replica serves this model']);
  });

  test('rate scale and limit shape a request list and a synthetic workload', () => {
    const requests = Array.from({ length: 10 }, (_, i) => req(i * 1000, 100, 2));
    const { result } = runSimulation({ requests, fleet: fleet(1), policy: 'round-robin', rateScale: 4, limit: 5 });
    assert.equal(result.requests, 5);
    assert.equal(result.trace_span_s, 1);
    const synthetic = runSimulation({ synthetic: { ...defaultSpec('reasoning'), requests: 50, ratePerS: 1 }, fleet: fleet(1), policy: 'round-robin', rateScale: 10, limit: 20 });
    assert.equal(synthetic.result.requests, 20);
    assert.ok(synthetic.result.trace_span_s < 5, `span ${synthetic.result.trace_span_s}`);
  });

  test('out-of-order requests and unknown replicas are errors', () => {
    assert.throws(() => runSimulation({ requests: [req(5, 10, 1), req(1, 10, 1)], fleet: fleet(1), policy: 'round-robin' }), /request 1 arrives at 1 ms, before request 0/);
    const bad: RoutingPolicy = { name: 'bad', decide: () => ({ kind: 'route', replicaId: 'nope', reason: '' }) };
    assert.throws(() => runSimulation({ requests: [req(0, 10, 1)], fleet: fleet(1), policy: bad }), /policy bad routed to unknown replica "nope"/);
    assert.throws(() => runSimulation({ requests: [], fleet: fleet(1), policy: 'fastest' }), /unknown routing policy "fastest"/);
  });
});

describe('real traces, when present', () => {
  const conversation = sharedTrace('mooncake_conversation_trace.jsonl');
  const azure = sharedTrace('AzureLLMInferenceTrace_code.csv');

  test('the first 1,500 Mooncake conversation requests: shared prefixes hit the cache', { skip: conversation === undefined }, () => {
    const { result } = runSimulation({ trace: conversation!, limit: 1500, fleet: fleet(2), policy: 'least-loaded' });
    assert.equal(result.requests, 1500);
    assert.equal(result.completed + result.aborted, 1500);
    assert.ok(result.prefix_hit_rate > 0.02, `hit rate ${result.prefix_hit_rate}`);
    assert.ok(result.trace_span_s > 400 && result.trace_span_s < 600, `span ${result.trace_span_s}`);
  });

  test('Azure code requests at twice the rate: no prefix information, no hits', { skip: azure === undefined }, () => {
    const { result } = runSimulation({ trace: azure!, limit: 1000, rateScale: 2, fleet: fleet(1), policy: 'round-robin' });
    assert.equal(result.completed, 1000);
    assert.equal(result.cached_tokens, 0);
    const normal = runSimulation({ trace: azure!, limit: 1000, fleet: fleet(1), policy: 'round-robin' }).result;
    assert.ok(Math.abs(normal.trace_span_s / result.trace_span_s - 2) < 1e-3, `${normal.trace_span_s} vs ${result.trace_span_s}`);
  });
});
