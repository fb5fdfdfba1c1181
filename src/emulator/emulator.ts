import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createEngine, replicaSpec } from '../engine/index.js';
import type { Engine, EngineConfig } from '../engine/types.js';
import { validateFaults, type FaultOptions } from './faults.js';
import { Replica } from './replica.js';
import { createReplicaServer } from './server.js';

/**
 * `startEmulator`: one emulated replica — a real OpenAI-compatible HTTP server on loopback whose tokens
 * are paced by the engine model on the wall clock (x `speed`). In-process, for the gateway's default fleet
 * and for tests; `switchyard engine` wraps it.
 */
export interface EmulatorOptions {
  /** Hardware profile id (src/engine HARDWARE). Default `h100-sxm`. */
  hardware?: string;
  /** Model profile id (src/engine MODELS). Default `llama-3.1-8b`. */
  model?: string;
  /** Tensor-parallel degree. Default 1. */
  tensorParallel?: number;
  /** vLLM engine settings to override (block size, max-num-seqs, …). */
  engineConfig?: Partial<EngineConfig>;
  /** Use this engine instead of building one from hardware/model/tensorParallel. */
  engine?: Engine;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (ephemeral). */
  port?: number;
  /** Engine time runs this many times faster than the wall clock. Default 1. */
  speed?: number;
  /** Seeds the fault decisions. Default 0. */
  seed?: number;
  /** Names the server answers to; default the model id. */
  servedModelNames?: string[];
  faults?: FaultOptions;
  /** Replica id (default `<hardware>-0`) and pool (default `default`), shown in /info and /metrics. */
  id?: string;
  pool?: string;
}

/** What a running replica serves and where: shared by a lone emulator and every replica of a fleet. */
export interface EmulatedReplicaInfo {
  id: string;
  pool: string;
  hardware: string;
  model: string;
  tensorParallel: number;
  servedModelNames: string[];
  url: string;
}

export interface RunningEmulator extends EmulatedReplicaInfo {
  port: number;
  /** The replica's internals, for tests and in-process callers (engine state, pacer). */
  replica: Replica;
  close(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const engine =
    options.engine ??
    createEngine(
      replicaSpec(options.model ?? 'llama-3.1-8b', options.hardware ?? 'h100-sxm', options.tensorParallel ?? 1, options.engineConfig ?? {}),
      { emitTokenEvents: true, emitKvEvents: true },
    );
  const spec = engine.spec;
  const speed = options.speed ?? 1;
  if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`speed must be a positive number, got ${speed}`);
  const faults = options.faults ?? {};
  validateFaults(faults, 'faults');
  const id = options.id ?? `${spec.hardware.id}-0`;
  const pool = options.pool ?? 'default';
  const servedModelNames = options.servedModelNames !== undefined && options.servedModelNames.length > 0 ? options.servedModelNames : [spec.model.id];
  const replica = new Replica({ id, pool, engine, servedModelNames, speed, seed: options.seed ?? 0, faults });
  const server = createReplicaServer(replica);
  const host = options.host ?? '127.0.0.1';
  try {
    await listen(server, options.port ?? 0, host);
  } catch (error) {
    replica.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    id,
    pool,
    hardware: spec.hardware.id,
    model: spec.model.id,
    tensorParallel: spec.tensorParallel,
    servedModelNames,
    url: `http://${urlHost}:${port}`,
    port,
    replica,
    close() {
      closing ??= new Promise<void>((resolve) => {
        replica.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
