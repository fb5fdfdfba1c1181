import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { EngineConfig } from '../engine/types.js';
import { validateFaults, type FaultOptions } from './faults.js';

/**
 * A fleet file: the simulator's pool format (name, hardware, model, tensorParallel, replicas), plus the
 * simulator's optional `engine` settings, plus the emulator's optional `servedModelName` and `faults`. Keys the emulator does not use (prices,
 * regions, scheduler settings the simulator reads) are ignored, so one file drives both.
 *
 *   pools:
 *     - name: h100-8b
 *       hardware: h100-sxm
 *       model: llama-3.1-8b
 *       tensorParallel: 1
 *       replicas: 4
 *       faults: { errorRate: 0.05, errorStatuses: [503] }
 */
const faultsSchema = z.object({
  errorRate: z.number().min(0).max(1).optional(),
  errorStatuses: z.array(z.union([z.literal(429), z.literal(500), z.literal(503)])).optional(),
  retryAfterSeconds: z.number().min(0).optional(),
  hangRate: z.number().min(0).max(1).optional(),
  disconnectRate: z.number().min(0).max(1).optional(),
  disconnectAfterTokens: z.number().int().min(1).optional(),
  slowRate: z.number().min(0).max(1).optional(),
  slowFirstByteMs: z.number().min(0).optional(),
  startupDelayMs: z.number().min(0).optional(),
});

const engineSchema = z.object({
  blockSize: z.number().int().min(1).optional(),
  maxNumSeqs: z.number().int().min(1).optional(),
  maxNumBatchedTokens: z.number().int().min(1).optional(),
  gpuMemoryUtilization: z.number().gt(0).max(1).optional(),
  enablePrefixCaching: z.boolean().optional(),
  enableChunkedPrefill: z.boolean().optional(),
});

const poolSchema = z.object({
  name: z.string().regex(/^[a-zA-Z0-9_.-]+$/, 'use letters, digits, ".", "_" or "-"'),
  hardware: z.string().min(1),
  model: z.string().min(1),
  tensorParallel: z.number().int().min(1).default(1),
  replicas: z.number().int().min(1).max(256).default(1),
  servedModelName: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  engine: engineSchema.optional(),
  faults: faultsSchema.optional(),
});

const fleetSchema = z.object({ pools: z.array(poolSchema).min(1) });

export interface PoolSpec {
  name: string;
  hardware: string;
  model: string;
  tensorParallel: number;
  replicas: number;
  servedModelNames?: string[];
  /** vLLM engine settings for this pool (the simulator's `engine` key). */
  engine?: Partial<EngineConfig>;
  faults?: FaultOptions;
}

export interface FleetSpec {
  pools: PoolSpec[];
}

export class FleetFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FleetFileError';
  }
}

/** Validates a parsed fleet document; errors name the file and the field path (`pools[1].replicas`). */
export function parseFleet(doc: unknown, where = 'fleet'): FleetSpec {
  const result = fleetSchema.safeParse(doc);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = (issue?.path ?? []).map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
    throw new FleetFileError(`${where}: ${path === '' ? '' : `${path}: `}${issue?.message ?? 'invalid'}`);
  }
  const names = new Set<string>();
  const pools = result.data.pools.map((p, i): PoolSpec => {
    if (names.has(p.name)) throw new FleetFileError(`${where}: pools[${i}].name: duplicate pool name "${p.name}"`);
    names.add(p.name);
    const pool: PoolSpec = { name: p.name, hardware: p.hardware, model: p.model, tensorParallel: p.tensorParallel, replicas: p.replicas };
    if (p.servedModelName !== undefined) pool.servedModelNames = Array.isArray(p.servedModelName) ? p.servedModelName : [p.servedModelName];
    if (p.engine !== undefined) {
      pool.engine = Object.fromEntries(Object.entries(p.engine).filter(([, v]) => v !== undefined)) as Partial<EngineConfig>;
    }
    if (p.faults !== undefined) {
      const faults = Object.fromEntries(Object.entries(p.faults).filter(([, v]) => v !== undefined)) as FaultOptions;
      try {
        validateFaults(faults, `${where}: pools[${i}].faults`);
      } catch (error) {
        throw new FleetFileError(error instanceof Error ? error.message : String(error));
      }
      pool.faults = faults;
    }
    return pool;
  });
  return { pools };
}

export function loadFleetFile(path: string): FleetSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new FleetFileError(`${path}: cannot read: ${error instanceof Error ? error.message : String(error)}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new FleetFileError(`${path}: not valid YAML: ${error instanceof Error ? error.message : String(error)}`);
  }
  return parseFleet(doc, path);
}
