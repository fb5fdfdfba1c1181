import { UsageError, booleanFlag, formatHelp, numberFlag, parseArgs, stringFlag, type FlagSpecs, type ParsedArgs } from '../args.js';
import type { Command } from '../command.js';
import type { FaultOptions } from '../../emulator/faults.js';

/**
 * `switchyard engine`: an OpenAI-compatible inference server (or a whole fleet of them) whose tokens are
 * paced by Switchyard's engine model, for gateway tests, demos and load tests without a GPU.
 * See docs/emulator.md.
 */
const FLAGS: FlagSpecs = {
  hardware: { type: 'string', description: 'hardware profile id (src/engine/hardware*.ts)', default: 'h100-sxm' },
  model: { type: 'string', description: 'model profile id (src/engine/models.ts)', default: 'llama-3.1-8b' },
  tp: { type: 'string', description: 'tensor-parallel degree', default: '1' },
  host: { type: 'string', description: 'address to listen on', default: '127.0.0.1' },
  port: { type: 'string', description: 'port of the first replica (next ones count up); 0 = ephemeral', default: '8000' },
  speed: { type: 'string', description: 'run engine time X times faster than real time', default: '1' },
  replicas: { type: 'string', description: 'replicas of --hardware/--model to host', default: '1' },
  fleet: { type: 'string', description: 'YAML fleet file (pools: name, hardware, model, tensorParallel, replicas), or "demo"' },
  'served-model-name': { type: 'list', description: 'name(s) the server answers to (repeatable)', default: 'the model id' },
  seed: { type: 'string', description: 'seed for fault decisions', default: '0' },
  'block-size': { type: 'string', description: 'KV block size in tokens (vLLM --block-size)', default: '16' },
  'max-num-seqs': { type: 'string', description: 'cap on running sequences (vLLM --max-num-seqs)' },
  'max-num-batched-tokens': { type: 'string', description: 'token budget per step (vLLM --max-num-batched-tokens)' },
  'fault-error-rate': { type: 'string', description: 'fraction of requests answered with an error status' },
  'fault-error-status': { type: 'list', description: 'status(es) for injected errors: 500, 503, 429 (repeatable or comma-separated)', default: '500' },
  'fault-retry-after': { type: 'string', description: 'retry-after seconds on injected 429/503', default: '1' },
  'fault-hang-rate': { type: 'string', description: 'fraction of requests that never get a first byte' },
  'fault-disconnect-rate': { type: 'string', description: 'fraction of requests cut mid-response' },
  'fault-disconnect-after': { type: 'string', description: 'output tokens sent before a cut', default: 'half the output' },
  'fault-slow-ms': { type: 'string', description: 'delay (wall ms) before the first byte' },
  'fault-slow-rate': { type: 'string', description: 'fraction of requests delayed by --fault-slow-ms', default: '1' },
  'fault-startup-ms': { type: 'string', description: 'hold every request for this many wall ms after start' },
  help: { type: 'boolean', description: 'show this help' },
};

const USAGE = 'switchyard engine [--hardware ID --model ID --tp N | --fleet FILE] [--replicas N] [--port P] [--speed X] [fault flags]';

function rate(args: ParsedArgs, name: string): number | undefined {
  const v = numberFlag(args, name, { min: 0 });
  if (v !== undefined && v > 1) throw new UsageError(`--${name} must be between 0 and 1, got ${v}`);
  return v;
}

export function faultsFromArgs(args: ParsedArgs): FaultOptions {
  const faults: FaultOptions = {};
  const set = <K extends keyof typeof faults>(key: K, value: (typeof faults)[K] | undefined): void => {
    if (value !== undefined) faults[key] = value;
  };
  set('errorRate', rate(args, 'fault-error-rate'));
  set('hangRate', rate(args, 'fault-hang-rate'));
  set('disconnectRate', rate(args, 'fault-disconnect-rate'));
  set('slowRate', rate(args, 'fault-slow-rate'));
  set('retryAfterSeconds', numberFlag(args, 'fault-retry-after', { min: 0 }));
  set('disconnectAfterTokens', numberFlag(args, 'fault-disconnect-after', { min: 1, integer: true }));
  set('slowFirstByteMs', numberFlag(args, 'fault-slow-ms', { min: 0 }));
  set('startupDelayMs', numberFlag(args, 'fault-startup-ms', { min: 0 }));
  const statuses = args.flags['fault-error-status'];
  if (Array.isArray(statuses)) {
    faults.errorStatuses = statuses.flatMap((s) => s.split(',')).map((s) => {
      const n = Number(s.trim());
      if (![429, 500, 503].includes(n)) throw new UsageError(`--fault-error-status must be 429, 500 or 503, got "${s}"`);
      return n;
    });
  }
  return faults;
}

const command: Command = {
  name: 'engine',
  summary: 'run emulated inference replicas paced by the engine model',
  async run(argv) {
    const args = parseArgs(argv, FLAGS);
    if (booleanFlag(args, 'help')) {
      console.log(formatHelp(USAGE, FLAGS));
      return 0;
    }
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
    const { startEmulatorFleet, loadFleetFile, DEMO_FLEET } = await import('../../emulator/index.js');
    const fleetPath = stringFlag(args, 'fleet');
    const replicas = numberFlag(args, 'replicas', { min: 1, integer: true }) ?? 1;
    const tp = numberFlag(args, 'tp', { min: 1, integer: true }) ?? 1;
    const served = args.flags['served-model-name'];
    if (fleetPath !== undefined) {
      for (const flag of ['hardware', 'model', 'tp', 'replicas', 'served-model-name']) {
        if (args.flags[flag] !== undefined) throw new UsageError(`--${flag} cannot be combined with --fleet (set it in the fleet file)`);
      }
    }
    let pools;
    try {
      pools =
        fleetPath !== undefined
          ? fleetPath === 'demo'
            ? DEMO_FLEET.pools
            : loadFleetFile(fleetPath).pools
          : [
              {
                name: 'default',
                hardware: stringFlag(args, 'hardware') ?? 'h100-sxm',
                model: stringFlag(args, 'model') ?? 'llama-3.1-8b',
                tensorParallel: tp,
                replicas,
                ...(Array.isArray(served) ? { servedModelNames: served } : {}),
              },
            ];
    } catch (error) {
      console.error(`switchyard engine: ${error instanceof Error ? error.message : String(error)}`);
      return 2;
    }
    const engineConfig: Partial<Record<'blockSize' | 'maxNumSeqs' | 'maxNumBatchedTokens', number>> = {};
    const blockSize = numberFlag(args, 'block-size', { min: 1, integer: true });
    const maxNumSeqs = numberFlag(args, 'max-num-seqs', { min: 1, integer: true });
    const maxBatched = numberFlag(args, 'max-num-batched-tokens', { min: 1, integer: true });
    if (blockSize !== undefined) engineConfig.blockSize = blockSize;
    if (maxNumSeqs !== undefined) engineConfig.maxNumSeqs = maxNumSeqs;
    if (maxBatched !== undefined) engineConfig.maxNumBatchedTokens = maxBatched;
    const faults = faultsFromArgs(args);
    let fleet;
    try {
      fleet = await startEmulatorFleet({
        pools,
        host: stringFlag(args, 'host') ?? '127.0.0.1',
        port: numberFlag(args, 'port', { min: 0, integer: true }) ?? 8000,
        speed: numberFlag(args, 'speed', { min: Number.MIN_VALUE }) ?? 1,
        seed: numberFlag(args, 'seed', { integer: true }) ?? 0,
        faults,
        engineConfig,
      });
    } catch (error) {
      console.error(`switchyard engine: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    }
    for (const r of fleet.replicas) {
      console.log(`replica ${r.id} pool=${r.pool} hardware=${r.hardware} model=${r.model} tp=${r.tensorParallel} served=${r.servedModelNames.join(',')} url=${r.url}`);
    }
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await fleet.close();
    return 0;
  },
};

export default command;
