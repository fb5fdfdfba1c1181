import { idleEnergyJ } from '../engine/index.js';
import type { Slo } from '../spec/request.js';
import type { Distribution } from './metrics/samples.js';
import type { SimulationLoop } from './loop.js';
import type { SimPool } from './pool.js';

export interface PoolResult {
  name: string;
  hardware: string;
  model: string;
  tensor_parallel: number;
  replicas: number;
  /** Per replica. */
  usd_per_hour: number;
  routed: number;
  completed: number;
  /** Busy replica time / (replicas × duration). */
  utilisation: number;
  cost_usd: number;
  energy_j: number;
  input_tokens: number;
  output_tokens: number;
  prefix_hit_rate: number;
}

/** The `--json` object. Field names are snake_case because it is a file format, not a TypeScript API. */
export interface SimResult {
  policy: string;
  seed: number;
  slo: { ttft_ms: number | null; tpot_ms: number | null };
  requests: number;
  completed: number;
  rejected: number;
  aborted: number;
  /** Requests the policy asked to hold at least once. */
  queued: number;
  reject_reasons: Record<string, number>;
  /** Virtual time from 0 to the last event (the last completion). */
  duration_s: number;
  /** First to last arrival. */
  trace_span_s: number;
  ttft_ms: Distribution;
  tpot_ms: Distribution;
  e2e_ms: Distribution;
  /** Requests meeting both SLOs / all requests (rejected and aborted count as misses). */
  slo_attainment: number;
  /** Requests meeting both SLOs per second of trace span (of duration when the span is 0). */
  goodput_rps: number;
  input_tokens: number;
  cached_tokens: number;
  output_tokens: number;
  output_tokens_per_s: number;
  /** Every replica's $/h × duration, whether busy or idle. */
  cost_usd: number;
  /** cost_usd per million input + output tokens of completed requests. */
  usd_per_mtok: number;
  energy_j: number;
  /** (input + output tokens) / energy_j. */
  tokens_per_joule: number;
  /** Prompt tokens served from the prefix cache / prompt tokens, over completed requests. */
  prefix_hit_rate: number;
  preemptions: number;
  per_pool: PoolResult[];
}

/** Rounds to `digits` decimals so the JSON stays readable; deterministic, so byte-identical across runs. */
function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return 0;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

const roundDist = (d: Distribution): Distribution => ({ mean: round(d.mean), p50: round(d.p50), p90: round(d.p90), p99: round(d.p99) });
const ratio = (a: number, b: number): number => (b > 0 ? a / b : 0);

export function summarise(loop: SimulationLoop, pools: readonly SimPool[], policy: string, seed: number, slo: Slo): SimResult {
  const c = loop.collector;
  const endMs = loop.nowMs;
  const hours = endMs / 3_600_000;
  const perPool: PoolResult[] = pools.map((pool) => ({
    name: pool.name,
    hardware: pool.hardware,
    model: pool.model,
    tensor_parallel: pool.spec.tensorParallel,
    replicas: pool.replicas,
    usd_per_hour: round(pool.usdPerHour, 4),
    routed: 0,
    completed: 0,
    utilisation: 0,
    cost_usd: pool.usdPerHour * pool.replicas * hours,
    energy_j: 0,
    input_tokens: 0,
    output_tokens: 0,
    prefix_hit_rate: 0,
  }));
  const busy = new Float64Array(pools.length);
  loop.replicas.engines.forEach((engine, i) => {
    const p = loop.replicas.poolOf[i] as number;
    const state = engine.state(endMs);
    // The engine counts joules from its first request on; the replica was powered from time 0.
    const first = loop.replicas.firstAddMs[i] as number;
    const before = idleEnergyJ(engine.spec, Number.isNaN(first) ? endMs : first);
    (perPool[p] as PoolResult).energy_j += state.energyJ + before;
    busy[p] = (busy[p] as number) + state.busyMs;
  });
  perPool.forEach((pool, p) => {
    const counters = c.pools[p];
    if (counters === undefined) return;
    pool.routed = counters.routed;
    pool.completed = counters.completed;
    pool.input_tokens = counters.inputTokens;
    pool.output_tokens = counters.outputTokens;
    pool.prefix_hit_rate = round(ratio(counters.cachedTokens, counters.inputTokens), 6);
    pool.utilisation = round(ratio(busy[p] as number, pool.replicas * endMs), 6);
  });
  const cost = perPool.reduce((s, p) => s + p.cost_usd, 0);
  const energy = perPool.reduce((s, p) => s + p.energy_j, 0);
  for (const pool of perPool) {
    pool.cost_usd = round(pool.cost_usd, 6);
    pool.energy_j = round(pool.energy_j, 1);
  }
  const tokens = c.inputTokens + c.outputTokens;
  const spanS = c.arrived > 0 ? (c.lastArrivalMs - c.firstArrivalMs) / 1000 : 0;
  const reasons: Record<string, number> = {};
  for (const key of [...c.rejectReasons.keys()].sort()) reasons[key] = c.rejectReasons.get(key) as number;
  return {
    policy,
    seed,
    slo: { ttft_ms: slo.ttftMs ?? null, tpot_ms: slo.tpotMs ?? null },
    requests: c.arrived,
    completed: c.completed,
    rejected: c.rejected,
    aborted: c.aborted,
    queued: c.queued,
    reject_reasons: reasons,
    duration_s: round(endMs / 1000),
    trace_span_s: round(spanS),
    ttft_ms: roundDist(c.ttft.distribution()),
    tpot_ms: roundDist(c.tpot.distribution()),
    e2e_ms: roundDist(c.e2e.distribution()),
    slo_attainment: round(ratio(c.met, c.arrived), 6),
    goodput_rps: round(ratio(c.met, spanS > 0 ? spanS : endMs / 1000), 4),
    input_tokens: c.inputTokens,
    cached_tokens: c.cachedTokens,
    output_tokens: c.outputTokens,
    output_tokens_per_s: round(ratio(c.outputTokens, endMs / 1000), 2),
    cost_usd: round(cost, 6),
    usd_per_mtok: round(ratio(cost * 1e6, tokens), 6),
    energy_j: round(energy, 1),
    tokens_per_joule: round(ratio(tokens, energy), 6),
    prefix_hit_rate: round(ratio(c.cachedTokens, c.inputTokens), 6),
    preemptions: c.preemptions,
    per_pool: perPool,
  };
}
