/**
 * Simulator throughput: simulated requests per wall-clock second on a large synthetic workload.
 *
 *   node --import tsx bench/sim.ts [--requests 1000000] [--replicas 128] [--rate 700] [--kind conversation]
 *                                  [--policy least-loaded] [--hardware h100-sxm] [--model llama-3.1-8b]
 *                                  [--no-prefix-index] [--no-timers]
 *
 * Prints the wall time, the rate, and where the time went (engine steps, policy decisions, the rest: the event
 * loop, the workload generator and metrics), measured by wrapping the engine and the policy with timers.
 * A script, not a test: wall time is never asserted on.
 */
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { booleanFlag, numberFlag, parseArgs, stringFlag } from '../src/cli/args.js';
import { createPolicy } from '../src/scheduler/registry.js';
import type { Engine } from '../src/engine/types.js';
import type { RoutingPolicy } from '../src/spec/routing.js';
import { buildFleet, engineFactory } from '../src/sim/build-fleet.js';
import { runSimulation } from '../src/sim/simulate.js';
import { defaultSpec, type SyntheticKind } from '../src/sim/workload/kinds.js';

const args = parseArgs(process.argv.slice(2), {
  requests: { type: 'string', description: '' },
  replicas: { type: 'string', description: '' },
  rate: { type: 'string', description: '' },
  kind: { type: 'string', description: '' },
  policy: { type: 'string', description: '' },
  hardware: { type: 'string', description: '' },
  model: { type: 'string', description: '' },
  'no-timers': { type: 'boolean', description: '' },
  'no-prefix-index': { type: 'boolean', description: '' },
});
const preciseIndex = !booleanFlag(args, 'no-prefix-index');
const requests = numberFlag(args, 'requests', { integer: true, min: 1 }) ?? 1_000_000;
const replicas = numberFlag(args, 'replicas', { integer: true, min: 1 }) ?? 128;
const rate = numberFlag(args, 'rate') ?? 700;
const kind = (stringFlag(args, 'kind') ?? 'conversation') as SyntheticKind;
const policyName = stringFlag(args, 'policy') ?? 'least-loaded';
const timers = !booleanFlag(args, 'no-timers');

const pools = buildFleet({
  pools: [{ name: 'pool', hardware: stringFlag(args, 'hardware') ?? 'h100-sxm', model: stringFlag(args, 'model') ?? 'llama-3.1-8b', tensorParallel: 1, replicas }],
});

let stepMs = 0;
let steps = 0;
let decideMs = 0;
const base = engineFactory(preciseIndex);
const createEngine = (spec: Parameters<typeof base>[0]): Engine => {
  const engine = base(spec);
  if (!timers) return engine;
  const step = engine.step.bind(engine);
  engine.step = (now: number) => {
    const t = performance.now();
    const result = step(now);
    stepMs += performance.now() - t;
    steps++;
    return result;
  };
  return engine;
};
const inner = createPolicy(policyName, { seed: 1 });
const policy: RoutingPolicy = timers
  ? {
      name: inner.name,
      decide(request, view) {
        const t = performance.now();
        const decision = inner.decide(request, view);
        decideMs += performance.now() - t;
        return decision;
      },
      ...(inner.onDispatch === undefined ? {} : { onDispatch: inner.onDispatch.bind(inner) }),
      ...(inner.onComplete === undefined ? {} : { onComplete: inner.onComplete.bind(inner) }),
    }
  : inner;

const started = performance.now();
const { result } = runSimulation({
  synthetic: { ...defaultSpec(kind), requests, ratePerS: rate },
  fleet: pools,
  policy,
  createEngine,
  preciseIndex,
  seed: 1,
  slo: { ttftMs: 2000, tpotMs: 100 },
});
const wallS = (performance.now() - started) / 1000;
const rss = process.memoryUsage().rss / 2 ** 20;

console.log(`machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}, Node ${process.version}`);
console.log(`workload: ${kind}, ${requests.toLocaleString('en-US')} requests at ${rate}/s; fleet: ${replicas} × ${pools[0]?.hardware} ${pools[0]?.model}; policy ${policyName}`);
console.log(`simulated ${result.duration_s.toFixed(0)} s: ${result.completed.toLocaleString('en-US')} completed, ${result.rejected} rejected, TTFT p50 ${result.ttft_ms.p50.toFixed(0)} ms p99 ${result.ttft_ms.p99.toFixed(0)} ms, utilisation ${((result.per_pool[0]?.utilisation ?? 0) * 100).toFixed(1)}%, prefix hit ${(result.prefix_hit_rate * 100).toFixed(1)}%, SLO ${(result.slo_attainment * 100).toFixed(1)}%`);
console.log(`wall ${wallS.toFixed(1)} s → ${Math.round(requests / wallS).toLocaleString('en-US')} simulated requests per wall-second; peak RSS ${rss.toFixed(0)} MiB`);
if (timers) {
  console.log(
    `engine steps: ${steps.toLocaleString('en-US')} (${(steps / requests).toFixed(1)} per request), ${(stepMs / 1000).toFixed(1)} s (${((stepMs / 1000 / wallS) * 100).toFixed(0)}%), ${((stepMs * 1000) / steps).toFixed(2)} µs each; ` +
      `policy decisions ${(decideMs / 1000).toFixed(1)} s (${((decideMs / 1000 / wallS) * 100).toFixed(0)}%); rest (loop, generator, metrics, timers) ${(wallS - stepMs / 1000 - decideMs / 1000).toFixed(1)} s`,
  );
}
