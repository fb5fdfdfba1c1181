/**
 * A replica = model x hardware x tensor-parallel degree, and the memory plan that follows from it: weights
 * sharded over TP devices, an activation reserve, and KV blocks in what is left (as vLLM sizes
 * `num_gpu_blocks` after profiling a forward pass).
 */
import { engineConfig } from './engine-config.js';
import { hardwareProfile } from './hardware.js';
import { kvBytesPerToken, modelProfile } from './models.js';
import type { EngineConfig, HardwareProfile, ModelProfile, ReplicaSpec } from './types.js';

const GB = 1e9;
/**
 * Memory vLLM keeps outside the KV cache besides weights, per device: CUDA-graph pools, NCCL and cuBLAS
 * workspaces, the sampler's logits (non-torch memory ~0.1-0.5 GiB and graph capture ~0.3-1 GiB in vLLM's
 * start-up log), taken as 0.5 GB...
 */
const FIXED_RESERVE_BYTES = 0.5 * GB;
/**
 * ...plus the activation peak of the profiling forward pass at max_num_batched_tokens. Per token it holds the
 * residual stream and norms (~4 x hidden, replicated under TP) and the QKV/MLP intermediates (~12 x hidden,
 * sharded: Llama's MLP is 3.5 x hidden wide and gate+up are both live). For Llama-3.1-8B at 8192 tokens this
 * gives 1.07 GB, in line with the ~1.2 GiB "activation peak" vLLM reports for that model.
 */
function activationReserveBytes(model: ModelProfile, config: EngineConfig, tp: number): number {
  return config.maxNumBatchedTokens * model.hiddenSize * model.dtypeBytes * (4 + 12 / tp);
}

export interface MemoryPlan {
  /** Per device, bytes. */
  deviceBytes: number;
  usableBytes: number;
  weightBytes: number;
  reserveBytes: number;
  kvBytes: number;
  /** KV bytes one token takes on one device (its share of the KV heads; replicated when TP > KV heads). */
  kvBytesPerTokenPerDevice: number;
  /** KV blocks of `blockSize` tokens the replica holds (vLLM `num_gpu_blocks`). */
  kvBlocks: number;
}

export function memoryPlan(
  model: ModelProfile,
  hardware: HardwareProfile,
  tensorParallel: number,
  config: EngineConfig,
): MemoryPlan {
  const deviceBytes = hardware.memoryGb * GB;
  const usableBytes = deviceBytes * config.gpuMemoryUtilization;
  const weightBytes = (model.parametersB * GB * model.dtypeBytes) / tensorParallel;
  const reserveBytes = FIXED_RESERVE_BYTES + activationReserveBytes(model, config, tensorParallel);
  const kvBytes = usableBytes - weightBytes - reserveBytes;
  const kvBytesPerTokenPerDevice = kvBytesPerToken(model) / Math.min(tensorParallel, model.kvHeads);
  const kvBlocks = kvBytes > 0 ? Math.floor(kvBytes / (kvBytesPerTokenPerDevice * config.blockSize)) : 0;
  return { deviceBytes, usableBytes, weightBytes, reserveBytes, kvBytes, kvBytesPerTokenPerDevice, kvBlocks };
}

const fmtGb = (bytes: number): string => `${(bytes / GB).toFixed(1)} GB`;

/**
 * Builds and validates a replica. Throws a RangeError that says what is wrong and what would fix it: unknown
 * ids (listing the known ones), a TP degree the hardware or the model cannot take, weights that do not fit.
 */
export function replicaSpec(
  model: string | ModelProfile,
  hardware: string | HardwareProfile,
  tensorParallel = 1,
  engineOverrides: Partial<EngineConfig> = {},
): ReplicaSpec {
  const m = typeof model === 'string' ? modelProfile(model) : model;
  const h = typeof hardware === 'string' ? hardwareProfile(hardware) : hardware;
  if (!Number.isInteger(tensorParallel) || tensorParallel < 1) {
    throw new RangeError(`tensorParallel must be a positive integer, got ${String(tensorParallel)}`);
  }
  if (tensorParallel > h.maxTensorParallel) {
    throw new RangeError(
      `tensorParallel ${tensorParallel} exceeds the maximum of ${h.maxTensorParallel} for ${h.id} (${h.name})`,
    );
  }
  if (m.attentionHeads % tensorParallel !== 0) {
    throw new RangeError(
      `tensorParallel ${tensorParallel} does not divide ${m.id}'s ${m.attentionHeads} attention heads (vLLM requires it)`,
    );
  }
  const config = engineConfig(engineOverrides);
  const plan = memoryPlan(m, h, tensorParallel, config);
  if (plan.kvBlocks < 1) {
    const needed = plan.weightBytes + plan.reserveBytes;
    const minTp = smallestFittingTp(m, h, config);
    throw new RangeError(
      `${m.id} does not fit on ${tensorParallel} x ${h.id}: each device needs ${fmtGb(needed)} ` +
        `(${fmtGb(plan.weightBytes)} weights + ${fmtGb(plan.reserveBytes)} activations/runtime) before any KV cache, ` +
        `but has ${fmtGb(plan.usableBytes)} (${h.memoryGb} GB x gpuMemoryUtilization ${config.gpuMemoryUtilization})` +
        (minTp ? `; tensorParallel ${minTp} would fit` : `; no tensorParallel up to ${h.maxTensorParallel} fits`),
    );
  }
  return { model: m, hardware: h, tensorParallel, engine: config };
}

function smallestFittingTp(m: ModelProfile, h: HardwareProfile, config: EngineConfig): number | undefined {
  for (let tp = 1; tp <= h.maxTensorParallel; tp++) {
    if (m.attentionHeads % tp === 0 && memoryPlan(m, h, tp, config).kvBlocks >= 1) return tp;
  }
  return undefined;
}

/** KV-cache capacity of the replica in blocks of `spec.engine.blockSize` tokens. */
export function kvCapacityBlocks(spec: ReplicaSpec): number {
  return memoryPlan(spec.model, spec.hardware, spec.tensorParallel, spec.engine).kvBlocks;
}
