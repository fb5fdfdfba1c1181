import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HARDWARE, hardwareProfile } from './hardware.js';
import { MODELS, kvBytesPerToken, modelProfile } from './models.js';

const REQUIRED_HARDWARE = ['h100-sxm', 'h200', 'a100-80gb', 'l40s', 'l4', 'trainium2', 'inferentia2'];

describe('hardware profiles', () => {
  test('the required ids exist, plus one server CPU', () => {
    for (const id of REQUIRED_HARDWARE) assert.equal(hardwareProfile(id).id, id);
    assert.ok(Object.values(HARDWARE).some((h) => h.kind === 'cpu'));
  });

  for (const h of Object.values(HARDWARE)) {
    test(`${h.id}: every number is positive (interconnect may be 0 only without TP) and has a source`, () => {
      for (const [key, value] of Object.entries(h)) {
        if (typeof value !== 'number') continue;
        if (key === 'interconnectGBs' && h.maxTensorParallel === 1) assert.ok(value >= 0);
        else assert.ok(value > 0, `${h.id}.${key} = ${value}`);
        const source = h.sources[key];
        assert.ok(typeof source === 'string' && source.length > 10, `${h.id}.${key} has no source`);
      }
      assert.ok(h.mfuPrefill <= 1 && h.mfuDecode <= 1 && h.mbu <= 1);
      assert.ok(h.idleWatts < h.tdpWatts);
      assert.ok(Number.isInteger(h.maxTensorParallel));
      if (h.maxTensorParallel > 1) assert.ok(h.interconnectGBs > 0);
    });
  }

  test('unpublished Neuron TDPs say so in their source', () => {
    for (const id of ['trainium2', 'inferentia2']) {
      assert.match(hardwareProfile(id).sources['tdpWatts'] ?? '', /NOT PUBLISHED/);
    }
  });

  test('unknown ids list the known ones', () => {
    assert.throws(() => hardwareProfile('b200'), /unknown hardware "b200".*h100-sxm.*inferentia2/);
    assert.throws(() => hardwareProfile('toString'), /unknown hardware/);
  });
});

describe('model profiles', () => {
  test('the four required models exist', () => {
    for (const id of ['llama-3.1-8b', 'llama-3.1-70b', 'qwen3-32b', 'qwen3-30b-a3b']) {
      assert.equal(modelProfile(id).id, id);
    }
  });

  for (const m of Object.values(MODELS)) {
    test(`${m.id}: every number is positive and has a source`, () => {
      for (const [key, value] of Object.entries(m)) {
        if (typeof value !== 'number') continue;
        assert.ok(value > 0, `${m.id}.${key} = ${value}`);
        assert.ok((m.sources[key] ?? '').length > 10, `${m.id}.${key} has no source`);
      }
      assert.ok(m.activeParametersB <= m.parametersB);
      assert.equal(m.attentionHeads % m.kvHeads, 0);
    });
  }

  test('KV bytes per token: 2 x layers x kvHeads x headDim x dtype', () => {
    assert.equal(kvBytesPerToken(modelProfile('llama-3.1-8b')), 131072);
    assert.equal(kvBytesPerToken(modelProfile('llama-3.1-70b')), 327680);
    assert.equal(kvBytesPerToken(modelProfile('qwen3-32b')), 262144);
    assert.equal(kvBytesPerToken(modelProfile('qwen3-30b-a3b')), 98304);
  });

  test('the MoE model activates far fewer parameters than it holds', () => {
    const moe = modelProfile('qwen3-30b-a3b');
    assert.ok(moe.activeParametersB * 5 < moe.parametersB);
    assert.equal(moe.experts, 128);
    assert.equal(moe.expertsPerToken, 8);
  });

  test('unknown model ids list the known ones', () => {
    assert.throws(() => modelProfile('gpt-5'), /unknown model "gpt-5"; known models: llama-3.1-8b/);
  });
});
