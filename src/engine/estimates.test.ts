import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HARDWARE } from './hardware.js';
import { MODELS } from './models.js';
import { powerWatts } from './power.js';
import { kvCapacityBlocks, replicaSpec } from './replica-spec.js';
import { decodeStepTimeMs, peakPrefillTokensPerS, prefillTimeMs } from './roofline.js';

describe('every model x hardware x TP: a spec with sane estimates, or a clear refusal', () => {
  for (const model of Object.values(MODELS)) {
    for (const hw of Object.values(HARDWARE)) {
      test(`${model.id} on ${hw.id}`, () => {
        let fitted = 0;
        for (let tp = 1; tp <= hw.maxTensorParallel; tp++) {
          let spec;
          try {
            spec = replicaSpec(model.id, hw.id, tp);
          } catch (err) {
            assert.match((err as Error).message, /does not fit|does not divide/);
            continue;
          }
          fitted++;
          const blocks = kvCapacityBlocks(spec);
          const prefill = peakPrefillTokensPerS(spec);
          const ttft = prefillTimeMs(spec, 2000, 1000);
          const tpot = decodeStepTimeMs(spec, 32, 32 * 2000);
          for (const v of [blocks, prefill, ttft, tpot]) assert.ok(Number.isFinite(v) && v > 0, `${tp}: ${v}`);
          assert.ok(powerWatts(spec, 1) === hw.tdpWatts * tp);
          // More context never makes a decode step faster.
          assert.ok(decodeStepTimeMs(spec, 32, 32 * 8000) >= tpot);
        }
        // Every model fits somewhere on every accelerator family except where memory truly forbids it.
        if (hw.kind !== 'cpu' && hw.maxTensorParallel >= 8) assert.ok(fitted > 0, `${model.id} never fits on ${hw.id}`);
      });
    }
  }
});
