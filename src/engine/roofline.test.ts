import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { idleEnergyJ, powerWatts, stepEnergyJ } from './power.js';
import { replicaSpec } from './replica-spec.js';
import {
  addPrefillChunk,
  decodeStepTimeMs,
  emptyComposition,
  peakPrefillTokensPerS,
  prefillTimeMs,
  stepTimeMs,
  stepTiming,
} from './roofline.js';

const llama8 = replicaSpec('llama-3.1-8b', 'h100-sxm');

describe('roofline', () => {
  test('batch-1 decode is memory-bound: weights / (bandwidth x MBU) + overhead', () => {
    const comp = emptyComposition();
    comp.decodeSeqs = 1;
    comp.decodeContextTokens = 0;
    const t = stepTiming(llama8, comp);
    assert.ok(t.memoryMs > t.computeMs);
    const weightsMs = (8.03e9 * 2) / (3350e9 * 0.8) * 1000;
    assert.ok(Math.abs(t.memoryMs - weightsMs) / weightsMs < 0.01);
    assert.equal(t.totalMs, t.memoryMs + llama8.hardware.stepOverheadMs);
  });

  test('decode time grows with batch and with context', () => {
    assert.ok(decodeStepTimeMs(llama8, 64, 64_000) > decodeStepTimeMs(llama8, 1, 1000));
    assert.ok(decodeStepTimeMs(llama8, 64, 640_000) > decodeStepTimeMs(llama8, 64, 64_000));
  });

  test('a full prefill chunk is compute-bound; attention grows with cached context', () => {
    const comp = addPrefillChunk(emptyComposition(), 0, 8192);
    const t = stepTiming(llama8, comp);
    assert.ok(t.computeMs > t.memoryMs);
    assert.ok(stepTimeMs(llama8, addPrefillChunk(emptyComposition(), 30_000, 8192)) > t.totalMs);
  });

  test('prefix-cache hits cut prefill time', () => {
    assert.ok(prefillTimeMs(llama8, 1000, 3000) < prefillTimeMs(llama8, 4000, 0));
    assert.equal(prefillTimeMs(llama8, 0, 4000), 0);
  });

  test('prefill is chunked at max_num_batched_tokens', () => {
    const small = replicaSpec('llama-3.1-8b', 'h100-sxm', 1, { maxNumBatchedTokens: 2048 });
    // Four chunks pay four step overheads.
    const chunks = prefillTimeMs(small, 8192);
    const once = prefillTimeMs(llama8, 8192);
    assert.ok(chunks > once + 2.5 * llama8.hardware.stepOverheadMs);
  });

  test('TP adds all-reduce time and divides compute', () => {
    const tp1 = replicaSpec('llama-3.1-8b', 'h100-sxm', 1);
    const tp2 = replicaSpec('llama-3.1-8b', 'h100-sxm', 2);
    const comp = addPrefillChunk(emptyComposition(), 0, 8192);
    const a = stepTiming(tp1, comp);
    const b = stepTiming(tp2, comp);
    assert.equal(a.commMs, 0);
    assert.ok(b.commMs > 0);
    assert.ok(Math.abs(b.computeMs * 2 - a.computeMs) < 1e-9);
    assert.ok(peakPrefillTokensPerS(tp2) > peakPrefillTokensPerS(tp1));
  });

  test('MoE decode reads only the experts touched: batch 1 is much cheaper than its total weights', () => {
    const moe = replicaSpec('qwen3-30b-a3b', 'h100-sxm');
    const one = decodeStepTimeMs(moe, 1, 0);
    const many = decodeStepTimeMs(moe, 256, 0);
    const allWeightsMs = (30.5e9 * 2) / (3350e9 * 0.8) * 1000;
    assert.ok(one < allWeightsMs / 3, `${one} vs ${allWeightsMs}`);
    assert.ok(many > allWeightsMs * 0.99);
  });

  test('an empty step costs nothing', () => {
    assert.equal(stepTimeMs(llama8, emptyComposition()), 0);
  });
});

describe('power', () => {
  test('moves from idle to TDP with utilisation, times devices', () => {
    assert.equal(powerWatts(llama8, 0), 70);
    assert.equal(powerWatts(llama8, 1), 700);
    assert.equal(powerWatts(llama8, 0.5), 385);
    assert.equal(powerWatts(llama8, 2), 700);
    assert.equal(powerWatts(replicaSpec('llama-3.1-70b', 'h100-sxm', 4), 1), 2800);
  });

  test('step energy = power x time; idle energy = idle power x time', () => {
    const t = stepTiming(llama8, addPrefillChunk(emptyComposition(), 0, 4096));
    assert.ok(Math.abs(stepEnergyJ(llama8, t) - (powerWatts(llama8, t.utilisation) * t.totalMs) / 1000) < 1e-12);
    assert.equal(idleEnergyJ(llama8, 1000), 70);
    assert.equal(idleEnergyJ(llama8, -5), 0);
  });
});
