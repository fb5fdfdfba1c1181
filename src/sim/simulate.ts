import { createPolicy } from '../scheduler/registry.js';
import type { Slo } from '../spec/request.js';
import type { RoutingPolicy } from '../spec/routing.js';
import { buildFleet, engineFactory } from './build-fleet.js';
import { readFleetFile, type FleetFile } from './fleet-file.js';
import { SimulationLoop } from './loop.js';
import type { QueueOptions, RequestRecord } from './loop-types.js';
import type { TimelineSeries } from './metrics/timeline.js';
import type { SimPool } from './pool.js';
import type { EngineFactory } from './replica-set.js';
import { summarise, type SimResult } from './result.js';
import { readTrace, shapeTrace, type TraceFormat } from './trace/read-trace.js';
import { SimInputError, type SimRequest } from './types.js';
import type { SyntheticSpec } from './workload/kinds.js';
import { SyntheticWorkload } from './workload/synthetic.js';

export const DEFAULT_QUEUE: QueueOptions = { capacity: 10_000, timeoutMs: 60_000, retryMs: 100 };

export interface SimulationOptions {
  /** The workload: exactly one of `requests` (in arrival order), `trace` (a file) or `synthetic`. */
  requests?: Iterable<SimRequest>;
  trace?: string | { file: string; format?: TraceFormat; jitterMs?: number | 'auto' };
  synthetic?: SyntheticSpec;
  /** A fleet file path, a parsed fleet file, or resolved pools. */
  fleet: string | FleetFile | readonly SimPool[];
  /** A policy name from src/scheduler/registry.ts, or a policy object (fresh: policies keep bookkeeping). */
  policy: string | RoutingPolicy;
  slo?: Slo;
  seed?: number;
  /** Multiplies the arrival rate (trace times divided by it; a synthetic rate multiplied by it). */
  rateScale?: number;
  /** Keeps the first N requests (after `skip`). */
  limit?: number;
  /** Drops the first N requests of a trace or request list first (a later window; times re-based to it). */
  skip?: number;
  queue?: Partial<QueueOptions>;
  /** Give the policy a precise prefix index from KV events (default true). */
  preciseIndex?: boolean;
  /** Wraps or replaces the engine factory (bench/sim.ts wraps it with timers); default: src/engine. */
  createEngine?: EngineFactory;
  onProgress?: (arrived: number, expected: number | undefined) => void;
  /** Return one record per request, in the order they ended (`requests` in the output). */
  recordRequests?: boolean;
}

export interface SimulationOutput {
  result: SimResult;
  timeline: TimelineSeries;
  /** Every completed request's TTFT, sorted (for the report's histogram). */
  ttftMs: Float64Array;
  pools: readonly SimPool[];
  /** Per-request records, sorted by workload index, when `recordRequests` was set. */
  requests?: RequestRecord[];
}

function workload(options: SimulationOptions, seed: number): { source: Iterable<SimRequest>; expected: number | undefined } {
  const given = [options.requests, options.trace, options.synthetic].filter((x) => x !== undefined).length;
  if (given !== 1) throw new SimInputError('give exactly one workload: requests, trace or synthetic');
  const shape = {
    ...(options.rateScale === undefined ? {} : { rateScale: options.rateScale }),
    ...(options.limit === undefined ? {} : { limit: options.limit }),
    ...(options.skip === undefined ? {} : { skip: options.skip }),
  };
  if (options.trace !== undefined) {
    const t = typeof options.trace === 'string' ? { file: options.trace } : options.trace;
    const load = readTrace(t.file, { seed, ...(t.format === undefined ? {} : { format: t.format }), ...(t.jitterMs === undefined ? {} : { jitterMs: t.jitterMs }) });
    const requests = shapeTrace(load.requests, shape);
    return { source: requests, expected: requests.length };
  }
  if (options.synthetic !== undefined) {
    if (options.skip !== undefined) throw new SimInputError('skip applies to a trace or a request list, not to a synthetic workload');
    const base = options.synthetic;
    const spec = {
      ...base,
      ratePerS: base.ratePerS * (options.rateScale ?? 1),
      requests: Math.min(base.requests, options.limit ?? Infinity),
    };
    return { source: new SyntheticWorkload(spec, seed), expected: spec.requests };
  }
  const requests = options.requests as Iterable<SimRequest>;
  if (Array.isArray(requests)) {
    const shaped = options.rateScale === undefined && options.limit === undefined && options.skip === undefined ? requests : shapeTrace(requests, shape);
    return { source: shaped, expected: shaped.length };
  }
  return { source: requests, expected: undefined };
}

/** The cheapest way to pull requests one at a time from each kind of source (no iterator result objects). */
function puller(source: Iterable<SimRequest>): () => SimRequest | undefined {
  if (source instanceof SyntheticWorkload) return () => source.next();
  if (Array.isArray(source)) {
    const list = source as readonly SimRequest[];
    let i = 0;
    return () => list[i++];
  }
  const iterator = source[Symbol.iterator]();
  return () => {
    const step = iterator.next();
    return step.done === true ? undefined : step.value;
  };
}

function resolvePolicy(policy: string | RoutingPolicy, seed: number): RoutingPolicy {
  if (typeof policy !== 'string') return policy;
  try {
    return createPolicy(policy, { seed });
  } catch (error) {
    throw new SimInputError((error as Error).message);
  }
}

/**
 * Replays a workload against a fleet with a routing policy on a virtual clock and returns the summary (the
 * `--json` object), the timeline and the TTFT sample. Deterministic: equal options and seed give equal
 * results. The programmatic entry for the routing benchmark and the sim-vs-emulator agreement test.
 */
export function runSimulation(options: SimulationOptions): SimulationOutput {
  const seed = options.seed ?? 1;
  const slo = options.slo ?? {};
  const pools =
    typeof options.fleet === 'string'
      ? buildFleet(readFleetFile(options.fleet), options.fleet)
      : 'pools' in options.fleet
        ? buildFleet(options.fleet)
        : options.fleet;
  const policy = resolvePolicy(options.policy, seed);
  const { source, expected } = workload(options, seed);
  const queue = { ...DEFAULT_QUEUE, ...options.queue };
  if (!Number.isFinite(queue.timeoutMs) || queue.timeoutMs < 0) throw new SimInputError(`queue timeout must be a finite number of ms, got ${queue.timeoutMs}`);
  if (!(queue.retryMs > 0)) throw new SimInputError(`queue retry interval must be positive, got ${queue.retryMs}`);
  const preciseIndex = options.preciseIndex ?? true;
  const onProgress = options.onProgress;
  const loop = new SimulationLoop({
    pools,
    createEngine: options.createEngine ?? engineFactory(preciseIndex),
    policy,
    slo,
    queue,
    preciseIndex,
    ...(options.recordRequests === true ? { recordRequests: true } : {}),
    ...(onProgress === undefined ? {} : { onProgress: (arrived: number) => onProgress(arrived, expected) }),
  });
  loop.run(puller(source));
  return {
    result: summarise(loop, pools, policy.name, seed, slo),
    timeline: loop.collector.timeline.series(),
    ttftMs: loop.collector.ttft.sorted(),
    pools,
    ...(loop.records === undefined ? {} : { requests: loop.records.sort((a, b) => a.index - b.index) }),
  };
}
