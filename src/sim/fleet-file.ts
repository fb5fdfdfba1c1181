import { z } from 'zod';
import { readFileText } from './trace/read-trace.js';
import { SimInputError } from './types.js';
import { parseYamlWith } from './yaml-input.js';

/**
 * A fleet file: pools of identical replicas (model × hardware × tensor parallelism). Prices default to the
 * hardware's $/h × tensor-parallel degree; `usdPerHour` overrides it per replica (a reserved or spot rate).
 * `engine` overrides vLLM-style engine settings (src/engine/types.ts EngineConfig).
 */
const engineOverrides = z.strictObject({
  blockSize: z.int().min(1).optional(),
  maxNumSeqs: z.int().min(1).optional(),
  maxNumBatchedTokens: z.int().min(1).optional(),
  gpuMemoryUtilization: z.number().gt(0).max(1).optional(),
  enablePrefixCaching: z.boolean().optional(),
  enableChunkedPrefill: z.boolean().optional(),
});

const pool = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'must be letters, digits, ".", "_" or "-"'),
  hardware: z.string().min(1),
  model: z.string().min(1),
  tensorParallel: z.int().min(1).default(1),
  replicas: z.int().min(1),
  usdPerHour: z.number().min(0).optional(),
  engine: engineOverrides.optional(),
});

const fleet = z.strictObject({
  pools: z.array(pool).min(1, 'a fleet needs at least one pool'),
});

export type EngineOverrides = z.infer<typeof engineOverrides>;
export type PoolFile = z.infer<typeof pool>;
export type FleetFile = z.infer<typeof fleet>;

export function parseFleetFile(text: string, file: string): FleetFile {
  const parsed = parseYamlWith(text, file, fleet);
  const seen = new Set<string>();
  parsed.pools.forEach((p, i) => {
    if (seen.has(p.name)) throw new SimInputError(`${file}: pools[${i}].name: duplicate pool name "${p.name}"`);
    seen.add(p.name);
  });
  return parsed;
}

export function readFleetFile(file: string): FleetFile {
  return parseFleetFile(readFileText(file, 'fleet file'), file);
}
