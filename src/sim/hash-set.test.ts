import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../util/random.js';
import { NumberSet } from './hash-set.js';

test('NumberSet agrees with Set under random adds, deletes and clears, for 53-bit keys', () => {
  const random = new Random(4);
  const ours = new NumberSet(4);
  const reference = new Set<number>();
  const keys = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? i : Math.floor(random.next() * 2 ** 53)));
  for (let step = 0; step < 100_000; step++) {
    const key = keys[random.int(keys.length)] as number;
    const op = random.next();
    if (op < 0.5) {
      ours.add(key);
      reference.add(key);
    } else if (op < 0.9999) {
      ours.delete(key);
      reference.delete(key);
    } else {
      ours.clear();
      reference.clear();
    }
    if (step % 97 === 0) {
      assert.equal(ours.size, reference.size);
      for (const k of keys) assert.equal(ours.has(k), reference.has(k));
    }
  }
});
