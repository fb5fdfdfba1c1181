/** Small replicas and request builders shared by the engine tests and the benchmark (not a test file). */
import { hashString } from '../util/hash.js';
import { engineConfig } from './engine-config.js';
import { HARDWARE } from './hardware.js';
import { MODELS } from './models.js';
import { kvCapacityBlocks, memoryPlan, replicaSpec } from './replica-spec.js';
import type { EngineConfig, EngineRequest, HardwareProfile, ModelProfile, ReplicaSpec } from './types.js';

/** A tiny model (512 B of KV per token) so tests can pin KV capacity to a handful of blocks. */
export const TINY_MODEL: ModelProfile = {
  ...(MODELS['llama-3.1-8b'] as ModelProfile),
  id: 'tiny-test',
  name: 'tiny test model',
  parametersB: 0.001,
  activeParametersB: 0.001,
  layers: 2,
  hiddenSize: 64,
  attentionHeads: 2,
  kvHeads: 2,
  headDim: 32,
};

/** An H100 whose memory is shrunk so the tiny model gets exactly `blocks` KV blocks. */
export function tinySpec(blocks: number, overrides: Partial<EngineConfig> = {}): ReplicaSpec {
  const config = engineConfig(overrides);
  const h100 = HARDWARE['h100-sxm'] as HardwareProfile;
  const plan = memoryPlan(TINY_MODEL, h100, 1, config);
  const blockBytes = plan.kvBytesPerTokenPerDevice * config.blockSize;
  const bytes = (plan.weightBytes + plan.reserveBytes + (blocks + 0.5) * blockBytes) / config.gpuMemoryUtilization;
  const spec = replicaSpec(TINY_MODEL, { ...h100, memoryGb: bytes / 1e9 }, 1, overrides);
  const got = kvCapacityBlocks(spec);
  if (got !== blocks) throw new Error(`tinySpec: wanted ${blocks} blocks, got ${got}`);
  return spec;
}

let seq = 0;

/** A request whose prompt is `prefix` hash blocks shared by name, then `unique` private blocks. */
export function request(
  id: string,
  fields: Partial<EngineRequest> & { promptTokens: number; outputTokens: number },
  prefix = 'p',
): EngineRequest {
  const hbt = fields.hashBlockTokens ?? 16;
  const n = Math.floor(fields.promptTokens / hbt);
  return {
    id,
    blockHashes: Array.from({ length: n }, (_, i) => hashString(`${prefix}:${i}`)),
    hashBlockTokens: hbt,
    priority: 0,
    arrivalMs: 0,
    ...fields,
  };
}

/** Unique hashes per call (no prefix sharing). */
export function uniqueRequest(id: string, fields: Partial<EngineRequest> & { promptTokens: number; outputTokens: number }): EngineRequest {
  return request(id, fields, `u${seq++}`);
}
