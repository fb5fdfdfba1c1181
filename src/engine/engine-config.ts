/**
 * vLLM's defaults for the engine settings we model, and their validation.
 *
 * - block_size 16: vLLM CacheConfig default (`--block-size`, "on CUDA devices, only block sizes up to 32");
 * - max_num_seqs 256 and max_num_batched_tokens 8192 with chunked prefill: vLLM V1 EngineArgs defaults for
 *   the OpenAI server (vllm/engine/arg_utils.py `_set_default_args`: 8192 tokens for API serving; 256 seqs is
 *   SchedulerConfig's long-standing default; V1 raises it to 1024 on >=70 GiB GPUs, a deliberate choice we
 *   do not follow so that all hardware shares one default);
 * - gpu_memory_utilization 0.9 (`--gpu-memory-utilization`, CacheConfig default);
 * - prefix caching on by default in V1 (`--enable-prefix-caching`), chunked prefill always on in V1.
 */
import type { EngineConfig } from './types.js';

export const VLLM_DEFAULTS: Readonly<EngineConfig> = Object.freeze({
  blockSize: 16,
  maxNumSeqs: 256,
  maxNumBatchedTokens: 8192,
  gpuMemoryUtilization: 0.9,
  enablePrefixCaching: true,
  enableChunkedPrefill: true,
});

function positiveInt(name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw new RangeError(`engine.${name} must be a positive integer, got ${String(value)}`);
  }
}

/** Merges overrides onto vLLM's defaults and checks the combination, with errors that name the field. */
export function engineConfig(overrides: Partial<EngineConfig> = {}): EngineConfig {
  const config: EngineConfig = { ...VLLM_DEFAULTS };
  for (const [key, value] of Object.entries(overrides) as [keyof EngineConfig, unknown][]) {
    if (!(key in VLLM_DEFAULTS)) {
      throw new RangeError(`unknown engine setting "${key}"; known: ${Object.keys(VLLM_DEFAULTS).join(', ')}`);
    }
    if (value === undefined) continue;
    if (typeof value !== typeof VLLM_DEFAULTS[key]) {
      throw new TypeError(`engine.${key} must be a ${typeof VLLM_DEFAULTS[key]}, got ${typeof value}`);
    }
    (config as unknown as Record<string, unknown>)[key] = value;
  }
  positiveInt('blockSize', config.blockSize);
  positiveInt('maxNumSeqs', config.maxNumSeqs);
  positiveInt('maxNumBatchedTokens', config.maxNumBatchedTokens);
  if (!(config.gpuMemoryUtilization > 0 && config.gpuMemoryUtilization <= 1)) {
    throw new RangeError(`engine.gpuMemoryUtilization must be in (0, 1], got ${config.gpuMemoryUtilization}`);
  }
  // vLLM refuses this too: every running sequence must be able to decode one token per step.
  if (config.maxNumBatchedTokens < config.maxNumSeqs) {
    throw new RangeError(
      `engine.maxNumBatchedTokens (${config.maxNumBatchedTokens}) must be >= engine.maxNumSeqs (${config.maxNumSeqs})`,
    );
  }
  return config;
}
