/**
 * Routing benchmark: every policy in src/scheduler/registry.ts, replayed by the simulator (runSimulation,
 * virtual clock, the engine model of src/engine) on two real traces × two fleets × three load levels, and
 * written to docs/routing-results.md.
 *
 *   node --import tsx bench/routing.ts [--out docs/routing-results.md] [--json results.json] [--quick] [--holdout]
 *
 * --quick keeps a fifth of the requests (a smoke run; the committed file comes from a full run).
 * --holdout replays later windows of the same traces, which the policy's constants were not tuned on, into
 * docs/routing-results-holdout.md.
 */
import { writeFileSync } from 'node:fs';
import { POLICY_NAMES } from '../src/scheduler/registry.js';
import type { FleetFile } from '../src/sim/fleet-file.js';
import { runSimulation } from '../src/sim/simulate.js';
import { readTrace } from '../src/sim/trace/read-trace.js';
import type { SimResult } from '../src/sim/result.js';
import type { Slo } from '../src/spec/request.js';
import { renderRoutingResults, type Cell, type Scenario } from './routing-report.js';

const TRACES = '/work/shared/data/traces';
const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const quick = args.includes('--quick');
const holdout = args.includes('--holdout');
const out = flag('--out') ?? (holdout ? 'docs/routing-results-holdout.md' : 'docs/routing-results.md');
const jsonOut = flag('--json');
const traceDir = flag('--traces') ?? process.env['SWITCHYARD_TRACES'] ?? TRACES;

const pool = (name: string, hardware: string, replicas: number) => ({ name, hardware, model: 'llama-3.1-8b', tensorParallel: 1, replicas });
/** 8 × H100 at $4.50 = $36.00/h. */
const HOMOGENEOUS: FleetFile = { pools: [pool('h100', 'h100-sxm', 8)] };
/** 3 × H100 ($13.50) + 6 × Trainium2 ($13.41) + 5 × L40S ($9.00) = $35.91/h. */
const MIXED: FleetFile = { pools: [pool('h100', 'h100-sxm', 3), pool('trn2', 'trainium2', 6), pool('l40s', 'l40s', 5)] };

const TUNING: Scenario[] = [
  {
    trace: 'Mooncake conversation',
    file: `${traceDir}/mooncake_conversation_trace.jsonl`,
    limit: 3000,
    slo: { ttftMs: 5000, tpotMs: 100 },
    rateScales: [1, 2, 4],
  },
  {
    trace: 'Azure 2023 code',
    file: `${traceDir}/AzureLLMInferenceTrace_code.csv`,
    limit: 6000,
    slo: { ttftMs: 2000, tpotMs: 100 },
    rateScales: [3, 10, 30],
  },
];

/**
 * The tuning windows are the traces' first requests; the held-out ones are their last (Mooncake: the last
 * 3,000 requests; Azure code: everything after the tuning window). Load levels are matched in offered load,
 * not in time scale: a held-out window that arrives slower is compressed more, so each level puts the same
 * requests per second on the fleet as the tuning level it stands for.
 */
function heldOut(s: Scenario, size: number | undefined): Scenario {
  const requests = readTrace(s.file, { seed: 1 }).requests;
  const limit = size ?? requests.length - s.limit;
  const skip = requests.length - limit;
  const rate = (from: number, to: number): number => (to - from - 1) / (((requests[to - 1]?.arrivalMs ?? 0) - (requests[from]?.arrivalMs ?? 0)) / 1000);
  const factor = rate(0, s.limit) / rate(skip, requests.length);
  return { ...s, skip, limit, rateScales: s.rateScales.map((x) => Number((x * factor).toFixed(1))), loadFactor: factor };
}

const SCENARIOS: Scenario[] = holdout ? [heldOut(TUNING[0] as Scenario, 3000), heldOut(TUNING[1] as Scenario, undefined)] : TUNING;
interface FleetCase {
  name: string;
  fleet: FleetFile;
  /** Hand policies the precise index from KV events (default), or let each keep its approximate one. */
  preciseIndex: boolean;
  /** Only for this trace (the extra cases are run once, on the trace with prefix information). */
  trace?: string;
}
const FLEETS: FleetCase[] = [
  { name: 'homogeneous 8 × H100', fleet: HOMOGENEOUS, preciseIndex: true },
  { name: 'mixed 3 × H100 + 6 × Trainium2 + 5 × L40S', fleet: MIXED, preciseIndex: true },
  {
    name: 'mixed fleet, no KV events (approximate indexes)',
    fleet: MIXED,
    preciseIndex: false,
    trace: 'Mooncake conversation',
  },
];

function fleetUsdPerHour(result: SimResult): number {
  return result.per_pool.reduce((sum, p) => sum + p.usd_per_hour * p.replicas, 0);
}

const cells: Cell[] = [];
const started = performance.now();
for (const scenario of SCENARIOS) {
  const limit = quick ? Math.round(scenario.limit / 5) : scenario.limit;
  for (const { name: fleetName, fleet, preciseIndex, trace } of FLEETS) {
    if (trace !== undefined && trace !== scenario.trace) continue;
    for (const rateScale of scenario.rateScales) {
      for (const policy of POLICY_NAMES) {
        const t0 = performance.now();
        const { result } = runSimulation({
          trace: { file: scenario.file },
          fleet,
          policy,
          slo: scenario.slo as Slo,
          rateScale,
          limit,
          ...(scenario.skip === undefined ? {} : { skip: scenario.skip }),
          seed: 1,
          preciseIndex,
        });
        cells.push({ trace: scenario.trace, fleet: fleetName, rateScale, policy, result, fleetUsdPerHour: fleetUsdPerHour(result) });
        process.stderr.write(
          `${scenario.trace} | ${fleetName} | x${rateScale} | ${policy}: SLO ${(100 * result.slo_attainment).toFixed(1)}% ` +
            `goodput ${result.goodput_rps.toFixed(2)} req/s (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`,
        );
      }
    }
  }
}
const seconds = (performance.now() - started) / 1000;
writeFileSync(out, renderRoutingResults({ scenarios: SCENARIOS, fleets: FLEETS.map((f) => f.name), cells, seconds, quick, holdout }));
if (jsonOut !== undefined) writeFileSync(jsonOut, JSON.stringify(cells, null, 2));
process.stderr.write(`wrote ${out} (${cells.length} runs, ${seconds.toFixed(0)} s)\n`);
