import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PrefillLoad } from './prefill-load.js';

test('prefill share decays with the injected clock and adds up per replica', () => {
  const load = new PrefillLoad(1000);
  assert.equal(load.share('a', 0), 0);
  load.add('a', 0, 500); // half of one time constant spent prefilling
  assert.equal(load.share('a', 0), 0.5);
  assert.ok(Math.abs(load.share('a', 1000) - 0.5 / Math.E) < 1e-12);
  load.add('a', 1000, 250);
  assert.ok(Math.abs(load.share('a', 1000) - (0.5 / Math.E + 0.25)) < 1e-12);
  assert.equal(load.shareWith('b', 5000, 100), 0.1);
  assert.equal(load.share('b', 5000), 0);
});
