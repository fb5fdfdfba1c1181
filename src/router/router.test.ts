import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelRouter, type ModelRoute } from './router.js';

const route = (name: string, fallbacks: string[] = [], aliases: string[] = []): ModelRoute => ({
  name,
  aliases,
  pools: [`${name}-pool`],
  fallbacks,
  slo: {},
  ownedBy: 'x',
  created: 0,
});

test('aliases resolve; chains are breadth-first, each model once, cycles harmless', () => {
  const router = new ModelRouter([route('a', ['b', 'c'], ['alpha']), route('b', ['d', 'a']), route('c', ['d']), route('d')]);
  assert.equal(router.resolve('alpha')?.name, 'a');
  assert.deepEqual(router.chain('alpha')?.map((m) => m.name), ['a', 'b', 'c', 'd']);
  assert.deepEqual(router.chain('b')?.map((m) => m.name), ['b', 'd', 'a', 'c']);
  assert.equal(router.chain('zzz'), undefined);
});
