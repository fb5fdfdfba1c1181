import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from './random.js';

test('same seed, same stream; different seed, different stream', () => {
  const a = new Random(42);
  const b = new Random(42);
  const c = new Random(43);
  const xs = Array.from({ length: 5 }, () => a.next());
  assert.deepEqual(xs, Array.from({ length: 5 }, () => b.next()));
  assert.notDeepEqual(xs, Array.from({ length: 5 }, () => c.next()));
});

test('moments of the distributions', () => {
  const random = new Random(7);
  const n = 50_000;
  let sumU = 0;
  let sumE = 0;
  let sumG = 0;
  let sumG2 = 0;
  for (let i = 0; i < n; i++) {
    const u = random.next();
    assert.ok(u >= 0 && u < 1);
    sumU += u;
    sumE += random.exponential(2);
    const g = random.gamma(0.25, 4);
    sumG += g;
    sumG2 += g * g;
  }
  assert.ok(Math.abs(sumU / n - 0.5) < 0.01);
  assert.ok(Math.abs(sumE / n - 0.5) < 0.02);
  const meanG = sumG / n;
  const cv = Math.sqrt(sumG2 / n - meanG * meanG) / meanG;
  assert.ok(Math.abs(meanG - 1) < 0.05, `gamma mean ${meanG}`);
  assert.ok(Math.abs(cv - 2) < 0.15, `gamma cv ${cv}`);
});
