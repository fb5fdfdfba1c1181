import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { VLLM_DEFAULTS } from './engine-config.js';
import { kvCapacityBlocks, memoryPlan, replicaSpec } from './replica-spec.js';

describe('replicaSpec', () => {
  test('defaults follow vLLM', () => {
    const spec = replicaSpec('llama-3.1-8b', 'h100-sxm');
    assert.deepEqual(spec.engine, {
      blockSize: 16,
      maxNumSeqs: 256,
      maxNumBatchedTokens: 8192,
      gpuMemoryUtilization: 0.9,
      enablePrefixCaching: true,
      enableChunkedPrefill: true,
    });
    assert.deepEqual(spec.engine, { ...VLLM_DEFAULTS });
    assert.equal(spec.tensorParallel, 1);
  });

  test('overrides apply and are validated', () => {
    assert.equal(replicaSpec('llama-3.1-8b', 'h100-sxm', 1, { blockSize: 32 }).engine.blockSize, 32);
    assert.throws(() => replicaSpec('llama-3.1-8b', 'h100-sxm', 1, { blockSize: 0 }), /blockSize must be a positive integer/);
    assert.throws(
      () => replicaSpec('llama-3.1-8b', 'h100-sxm', 1, { maxNumSeqs: 512, maxNumBatchedTokens: 256 }),
      /maxNumBatchedTokens \(256\) must be >= engine.maxNumSeqs \(512\)/,
    );
    assert.throws(() => replicaSpec('llama-3.1-8b', 'h100-sxm', 1, { gpuMemoryUtilization: 1.5 }), /gpuMemoryUtilization/);
    assert.throws(
      () => replicaSpec('llama-3.1-8b', 'h100-sxm', 1, { blokSize: 8 } as never),
      /unknown engine setting "blokSize"/,
    );
  });

  test('unknown ids name the known ones', () => {
    assert.throws(() => replicaSpec('llama-4', 'h100-sxm'), /unknown model "llama-4"; known models: .*qwen3-32b/);
    assert.throws(() => replicaSpec('llama-3.1-8b', 'h100'), /unknown hardware "h100"; known hardware: h100-sxm/);
  });

  test('TP above the hardware maximum, or not dividing the heads, is refused', () => {
    assert.throws(() => replicaSpec('llama-3.1-70b', 'h100-sxm', 16), /tensorParallel 16 exceeds the maximum of 8 for h100-sxm/);
    assert.throws(() => replicaSpec('llama-3.1-8b', 'xeon-spr-amx', 2), /exceeds the maximum of 1/);
    assert.throws(() => replicaSpec('llama-3.1-8b', 'h100-sxm', 3), /does not divide llama-3.1-8b's 32 attention heads/);
    assert.throws(() => replicaSpec('llama-3.1-8b', 'h100-sxm', 0), /positive integer/);
  });

  test('weights that do not fit say how much is needed and what TP would fit', () => {
    assert.throws(
      () => replicaSpec('llama-3.1-70b', 'h100-sxm', 1),
      /llama-3.1-70b does not fit on 1 x h100-sxm: each device needs 14\d\.\d GB \(141\.1 GB weights .* but has 77\.0 GB .*tensorParallel 2 would fit/,
    );
    assert.throws(() => replicaSpec('llama-3.1-70b', 'l4', 2), /tensorParallel 8 would fit/);
  });
});

describe('KV capacity', () => {
  test('follows from memory left after weights and reserve, per block of KV bytes', () => {
    const spec = replicaSpec('llama-3.1-8b', 'h100-sxm');
    const plan = memoryPlan(spec.model, spec.hardware, 1, spec.engine);
    // 85.5 GB x 0.9 = 76.95 GB; weights 16.06 GB; reserve 0.5 GB + 8192 x 4096 x 2 x 16 B = 1.57 GB.
    assert.ok(Math.abs(plan.weightBytes - 8.03e9 * 2) < 1);
    assert.equal(Math.round(plan.reserveBytes), 0.5e9 + 8192 * 4096 * 2 * 16);
    const expected = Math.floor((85.5e9 * 0.9 - 8.03e9 * 2 - plan.reserveBytes) / (131072 * 16));
    assert.equal(kvCapacityBlocks(spec), expected);
    assert.ok(expected > 27000 && expected < 29000); // ~450k tokens of KV for 8B on one H100
  });

  test('TP multiplies capacity: weights shard and KV heads spread over devices', () => {
    const tp2 = kvCapacityBlocks(replicaSpec('llama-3.1-70b', 'h100-sxm', 2));
    const tp4 = kvCapacityBlocks(replicaSpec('llama-3.1-70b', 'h100-sxm', 4));
    assert.ok(tp4 > 2 * tp2);
  });

  test('KV heads are replicated once TP exceeds them', () => {
    const spec = replicaSpec('qwen3-30b-a3b', 'h100-sxm', 8); // 4 KV heads over 8 GPUs
    const plan = memoryPlan(spec.model, spec.hardware, 8, spec.engine);
    assert.equal(plan.kvBytesPerTokenPerDevice, 98304 / 4);
  });

  test('a larger gpuMemoryUtilization or block size changes blocks as expected', () => {
    const base = kvCapacityBlocks(replicaSpec('llama-3.1-8b', 'a100-80gb'));
    assert.ok(kvCapacityBlocks(replicaSpec('llama-3.1-8b', 'a100-80gb', 1, { gpuMemoryUtilization: 0.95 })) > base);
    const big = kvCapacityBlocks(replicaSpec('llama-3.1-8b', 'a100-80gb', 1, { blockSize: 32 }));
    assert.ok(Math.abs(big * 2 - base) <= 1);
  });
});
