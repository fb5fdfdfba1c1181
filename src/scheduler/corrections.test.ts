import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EstimateCorrections } from './corrections.js';
import { requestFeatures } from './testing.js';

test('corrections: a ratio of weighted sums, so long waits weigh in proportion; clamped; per replica', () => {
  const c = new EstimateCorrections();
  const seen = (id: string, replica: string, predicted: number, observed: number) => {
    const r = requestFeatures(id);
    c.predicted(r, replica, predicted, 10);
    c.observe(r, replica, { ok: true, outputTokens: 100, ttftMs: observed, tpotMs: 10 });
  };
  for (let i = 0; i < 20; i++) {
    seen(`long${i}`, 'a', 3000, 3000); // the long waits are predicted right
    seen(`short${i}`, 'a', 5, 15); // the tiny ones run 3× over
  }
  assert.ok(Math.abs(c.ttftFactor('a') - 1) < 0.01, `factor ${c.ttftFactor('a')}: dominated by the long waits`);
  assert.equal(c.tpotFactor('a'), 1);
  for (let i = 0; i < 60; i++) seen(`slow${i}`, 'b', 100, 10_000); // each sample capped at 4× its prediction
  assert.equal(c.ttftFactor('b'), 4);
  assert.equal(c.ttftFactor('c'), 1);
  assert.equal(c.meanOutput, 100);
  // An outcome for a request routed elsewhere, or failed, teaches nothing.
  const r = requestFeatures('x');
  c.predicted(r, 'c', 100, 10);
  c.observe(r, 'd', { ok: true, ttftMs: 400 });
  assert.equal(c.ttftFactor('d'), 1);
});
