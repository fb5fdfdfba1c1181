import { writeFileSync } from 'node:fs';
import { booleanFlag, formatHelp, numberFlag, parseArgs, stringFlag, UsageError, type FlagSpecs } from '../args.js';
import type { Command } from '../command.js';
import { POLICY_NAMES } from '../../scheduler/registry.js';
import { ProgressBar } from '../../sim/progress.js';
import { renderReport } from '../../sim/report/html.js';
import { summaryTable } from '../../sim/report/table.js';
import { runSimulation, type SimulationOptions } from '../../sim/simulate.js';
import { TRACE_FORMATS, type TraceFormat } from '../../sim/trace/read-trace.js';
import { SimInputError } from '../../sim/types.js';
import { defaultSpec, SYNTHETIC_KINDS, type SyntheticKind } from '../../sim/workload/kinds.js';
import { readWorkloadFile } from '../../sim/workload/workload-file.js';

const USAGE = 'switchyard sim (--trace FILE | --synthetic KIND | --workload FILE) --fleet FILE --policy NAME [options]';

const FLAGS: FlagSpecs = {
  trace: { type: 'string', description: 'replay a trace file (Mooncake .jsonl or Azure .csv)' },
  format: { type: 'string', description: `trace format: ${TRACE_FORMATS.join('|')} (default: from the extension)` },
  synthetic: { type: 'string', description: `generate a workload: ${SYNTHETIC_KINDS.join('|')}` },
  workload: { type: 'string', description: 'generate a workload described by a YAML file (docs/simulator.md)' },
  requests: { type: 'string', description: 'synthetic: number of requests', default: '1000' },
  rate: { type: 'string', description: 'synthetic: mean arrival rate, requests/s', default: '10' },
  fleet: { type: 'string', description: 'fleet file (YAML: pools of model × hardware × TP × replicas)' },
  policy: { type: 'string', description: `routing policy: ${POLICY_NAMES.join('|')}` },
  'slo-ttft-ms': { type: 'string', description: 'time-to-first-token objective, ms' },
  'slo-tpot-ms': { type: 'string', description: 'time-per-output-token objective, ms' },
  'rate-scale': { type: 'string', description: 'multiply the arrival rate by X', default: '1' },
  limit: { type: 'string', description: 'replay only the first N requests' },
  seed: { type: 'string', description: 'seed for jitter, generators and random policies', default: '1' },
  'jitter-ms': { type: 'string', description: 'Mooncake timestamp jitter width, ms (default: the detected step)' },
  'queue-capacity': { type: 'string', description: 'requests a queueing policy may hold', default: '10000' },
  'queue-timeout-ms': { type: 'string', description: 'held requests older than this are rejected', default: '60000' },
  'no-prefix-index': { type: 'boolean', description: 'do not give policies the precise prefix index from KV events' },
  json: { type: 'boolean', description: 'print the result as one JSON object' },
  report: { type: 'string', description: 'write a self-contained HTML report to FILE' },
  help: { type: 'boolean', description: 'show this help' },
};

function options(argv: readonly string[]): { sim: SimulationOptions; json: boolean; report: string | undefined } | undefined {
  const args = parseArgs(argv, FLAGS);
  if (booleanFlag(args, 'help')) return undefined;
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  const trace = stringFlag(args, 'trace');
  const synthetic = stringFlag(args, 'synthetic');
  const workloadFile = stringFlag(args, 'workload');
  const sources = [trace, synthetic, workloadFile].filter((x) => x !== undefined).length;
  if (sources !== 1) throw new UsageError('give exactly one of --trace, --synthetic or --workload');
  const fleet = stringFlag(args, 'fleet');
  if (fleet === undefined) throw new UsageError('--fleet FILE is required');
  const policy = stringFlag(args, 'policy');
  if (policy === undefined) throw new UsageError(`--policy is required (one of ${POLICY_NAMES.join(', ')})`);
  const format = stringFlag(args, 'format');
  if (format !== undefined && !TRACE_FORMATS.includes(format as TraceFormat)) throw new UsageError(`--format must be one of ${TRACE_FORMATS.join(', ')}, got "${format}"`);
  if (format !== undefined && trace === undefined) throw new UsageError('--format applies to --trace only');
  const seed = numberFlag(args, 'seed', { integer: true, min: 0 }) ?? 1;
  const ttft = numberFlag(args, 'slo-ttft-ms', { min: 0 });
  const tpot = numberFlag(args, 'slo-tpot-ms', { min: 0 });
  const rateScale = numberFlag(args, 'rate-scale') ?? 1;
  if (!(rateScale > 0)) throw new UsageError(`--rate-scale must be positive, got ${rateScale}`);
  const limit = numberFlag(args, 'limit', { integer: true, min: 1 });
  const jitter = numberFlag(args, 'jitter-ms', { min: 0 });
  const sim: SimulationOptions = {
    fleet,
    policy,
    seed,
    rateScale,
    slo: { ...(ttft === undefined ? {} : { ttftMs: ttft }), ...(tpot === undefined ? {} : { tpotMs: tpot }) },
    queue: {
      capacity: numberFlag(args, 'queue-capacity', { integer: true, min: 0 }) ?? 10_000,
      timeoutMs: numberFlag(args, 'queue-timeout-ms', { min: 0 }) ?? 60_000,
    },
    preciseIndex: !booleanFlag(args, 'no-prefix-index'),
    ...(limit === undefined ? {} : { limit }),
  };
  if (trace !== undefined) {
    sim.trace = { file: trace, ...(format === undefined ? {} : { format: format as TraceFormat }), ...(jitter === undefined ? {} : { jitterMs: jitter }) };
  } else {
    const spec =
      workloadFile !== undefined
        ? readWorkloadFile(workloadFile)
        : SYNTHETIC_KINDS.includes(synthetic as SyntheticKind)
          ? defaultSpec(synthetic as SyntheticKind)
          : undefined;
    if (spec === undefined) throw new UsageError(`--synthetic must be one of ${SYNTHETIC_KINDS.join(', ')}, got "${synthetic}"`);
    const requests = numberFlag(args, 'requests', { integer: true, min: 1 });
    const rate = numberFlag(args, 'rate', { min: 0 });
    if (rate !== undefined && !(rate > 0)) throw new UsageError('--rate must be positive');
    sim.synthetic = { ...spec, ...(requests === undefined ? {} : { requests }), ...(rate === undefined ? {} : { ratePerS: rate }) };
  }
  return { sim, json: booleanFlag(args, 'json'), report: stringFlag(args, 'report') };
}

const command: Command = {
  name: 'sim',
  summary: 'replay a trace or a synthetic workload against a fleet on a virtual clock',
  async run(argv) {
    let progress: ProgressBar | undefined;
    try {
      const parsed = options(argv);
      if (parsed === undefined) {
        console.log(formatHelp(USAGE, FLAGS));
        return 0;
      }
      progress = ProgressBar.enabled() ? new ProgressBar() : undefined;
      const bar = progress;
      const output = runSimulation({
        ...parsed.sim,
        ...(bar === undefined ? {} : { onProgress: (done: number, total: number | undefined) => bar.update(done, total) }),
      });
      progress?.done();
      if (parsed.report !== undefined) {
        try {
          writeFileSync(parsed.report, renderReport(output, 'Switchyard simulation'));
        } catch (error) {
          throw new SimInputError(`cannot write report ${parsed.report}: ${(error as Error).message}`);
        }
      }
      console.log(parsed.json ? JSON.stringify(output.result) : summaryTable(output.result));
      return 0;
    } catch (error) {
      progress?.done();
      if (error instanceof SimInputError) {
        console.error(`switchyard sim: ${error.message}`);
        return 1;
      }
      throw error;
    }
  },
};

export default command;
