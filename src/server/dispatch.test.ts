import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ProviderAdapter } from '../spec/adapter.js';
import type { CompletionOutcome, Decision, FleetView, RequestFeatures, RoutingPolicy } from '../spec/routing.js';
import { UpstreamError } from '../errors/upstream-error.js';
import { GatewayError } from '../errors/gateway-error.js';
import { Fleet } from '../fleet/fleet.js';
import type { ReplicaSpec } from '../fleet/replica.js';
import type { ModelRoute } from '../router/router.js';
import { Dispatcher } from './dispatch.js';
import { createLogger } from './logger.js';

const clock = { now: () => 0 };
const spec = (id: string, pool: string): ReplicaSpec => ({
  id,
  pool,
  model: 'm',
  hardware: 'l4',
  tensorParallel: 1,
  usdPerHour: 1,
  idleWatts: 0,
  maxWatts: 0,
  maxRunning: 8,
  provider: 'openai-compatible',
  target: { baseUrl: `http://${id}`, upstreamModel: 'm' },
});
const route = (name: string, pools: string[]): ModelRoute => ({ name, aliases: [], pools, fallbacks: [], slo: {}, ownedBy: 'x', created: 0 });
const features = (): RequestFeatures => ({ id: 'r', model: 'm', tenant: 't', priority: 'interactive', slo: {}, promptTokens: 10, maxOutputTokens: 10, blockHashes: [], blockTokens: 16, arrivalMs: 0 });

/** Scripted policy: returns queued decisions first, then the first healthy candidate; records outcomes. */
class ScriptedPolicy implements RoutingPolicy {
  readonly name = 'scripted';
  outcomes: CompletionOutcome[] = [];
  constructor(private queueFirst = 0) {}
  decide(_request: RequestFeatures, fleet: FleetView): Decision {
    if (this.queueFirst > 0) {
      this.queueFirst--;
      return { kind: 'queue', reason: 'busy' };
    }
    const replica = fleet.replicas.find((r) => r.healthy);
    return replica === undefined ? { kind: 'reject', reason: 'none healthy', retryAfterMs: 1000 } : { kind: 'route', replicaId: replica.id, reason: 'first healthy' };
  }
  onComplete(_request: RequestFeatures, _replica: string, _now: number, outcome: CompletionOutcome): void {
    this.outcomes.push(outcome);
  }
}

function setup(policy: RoutingPolicy) {
  const fleet = new Fleet([spec('a0', 'a'), spec('a1', 'a'), spec('b0', 'b')], { failureThreshold: 1, cooldownMs: 1000 }, clock);
  const adapter = { id: 'x' } as ProviderAdapter;
  const adapters = new Map([['a', adapter], ['b', adapter]]);
  const dispatcher = new Dispatcher(fleet, policy, adapters, async () => { throw new Error('unused'); }, clock, createLogger('silent'), { maxAttempts: 4, maxRetryAfterMs: 0, maxQueueMs: 100 });
  return { fleet, dispatcher };
}

test('retryable failures move to the next replica, then to the fallback model; breakers hear them', async () => {
  const policy = new ScriptedPolicy();
  const { fleet, dispatcher } = setup(policy);
  const calls: string[] = [];
  const lease = await dispatcher.run([route('m', ['a']), route('fallback', ['b'])], features(), new AbortController().signal, async (_adapter, target) => {
    calls.push(target.baseUrl);
    if (target.baseUrl !== 'http://b0') throw new UpstreamError({ kind: 'status', status: 500, message: 'boom' });
    return 'ok';
  });
  assert.deepEqual(calls, ['http://a0', 'http://a1', 'http://b0']);
  assert.equal(lease.value, 'ok');
  assert.equal(lease.model.name, 'fallback');
  assert.equal(lease.attempts, 3);
  assert.equal(fleet.get('a0')?.breaker.state, 'open');
  assert.equal(fleet.get('b0')?.inFlight, 1);
  lease.end({ kind: 'success' }, { outputTokens: 5, ttftMs: 40, tpotMs: 9 });
  assert.equal(fleet.get('b0')?.inFlight, 0);
  assert.deepEqual(policy.outcomes.at(-1), { ok: true, outputTokens: 5, ttftMs: 40, tpotMs: 9 });
});

test('a non-retryable failure stops at once', async () => {
  const { dispatcher } = setup(new ScriptedPolicy());
  let calls = 0;
  await assert.rejects(
    dispatcher.run([route('m', ['a', 'b'])], features(), new AbortController().signal, async () => {
      calls++;
      throw new UpstreamError({ kind: 'status', status: 400, message: 'bad' });
    }),
    (error: unknown) => error instanceof UpstreamError && error.upstreamStatus === 400,
  );
  assert.equal(calls, 1);
});

test('a queue decision waits and asks again; an exhausted queue is 429 capacity_exceeded', async () => {
  const { dispatcher } = setup(new ScriptedPolicy(2));
  const lease = await dispatcher.run([route('m', ['a'])], features(), new AbortController().signal, async () => 'ok');
  assert.equal(lease.value, 'ok');
  const { dispatcher: stuck } = setup(new ScriptedPolicy(1_000_000));
  await assert.rejects(stuck.run([route('m', ['a'])], features(), new AbortController().signal, async () => 'never'), (error: unknown) => {
    assert.ok(GatewayError.isInstance(error));
    assert.equal(error.code, 'capacity_exceeded');
    return true;
  });
});

test('every breaker open: 503 upstream_unavailable with retry-after', async () => {
  const { fleet, dispatcher } = setup(new ScriptedPolicy());
  for (const id of ['a0', 'a1']) fleet.get(id)?.breaker.onFailure();
  await assert.rejects(dispatcher.run([route('m', ['a'])], features(), new AbortController().signal, async () => 'x'), (error: unknown) => {
    assert.ok(GatewayError.isInstance(error));
    assert.equal(error.code, 'upstream_unavailable');
    assert.ok((error.retryAfterMs ?? 0) >= 1000);
    return true;
  });
});
