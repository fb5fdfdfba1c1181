import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Random } from '../../util/random.js';
import type { SimRequest } from '../types.js';
import { drawLength, nextGapMs } from './distributions.js';
import { defaultSpec, type SyntheticSpec } from './kinds.js';
import { SyntheticWorkload } from './synthetic.js';
import { parseWorkloadFile, readWorkloadFile } from './workload-file.js';

const all = (spec: SyntheticSpec, seed = 1): SimRequest[] => [...new SyntheticWorkload(spec, seed)];
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

test('Poisson gaps have mean 1/rate and CV 1; Gamma gaps keep the mean with the asked CV', () => {
  for (const [arrival, cv] of [[{ process: 'poisson' }, 1], [{ process: 'gamma', cv: 2.5 }, 2.5], [{ process: 'gamma', cv: 0.5 }, 0.5]] as const) {
    const random = new Random(11);
    const gaps = Array.from({ length: 50_000 }, () => nextGapMs(random, arrival, 20));
    const mean = gaps.reduce((s, g) => s + g, 0) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((s, g) => s + (g - mean) ** 2, 0) / gaps.length);
    assert.ok(Math.abs(mean - 50) / 50 < 0.03, `${arrival.process} mean ${mean}`);
    assert.ok(Math.abs(sd / mean - cv) / cv < 0.06, `${arrival.process} cv ${sd / mean}`);
  }
});

test('lengths are log-normal around the median and clipped', () => {
  const random = new Random(5);
  const spec = { median: 300, sigma: 0.8, min: 10, max: 2000 };
  const values = Array.from({ length: 20_000 }, () => drawLength(random, spec));
  assert.ok(Math.abs(median(values) - 300) / 300 < 0.04, `median ${median(values)}`);
  assert.ok(values.every((v) => Number.isInteger(v) && v >= 10 && v <= 2000));
  assert.ok(values.includes(2000), 'the tail is clipped, not dropped');
});

test('reasoning workload: N requests at the asked rate with long outputs, seeded', () => {
  const spec = { ...defaultSpec('reasoning'), requests: 5000, ratePerS: 8 };
  const requests = all(spec, 7);
  assert.equal(requests.length, 5000);
  const rate = (requests.length - 1) / (requests.at(-1)!.arrivalMs / 1000);
  assert.ok(Math.abs(rate - 8) / 8 < 0.05, `rate ${rate}`);
  assert.ok(Math.abs(median(requests.map((r) => r.outputTokens)) - 2500) / 2500 < 0.06);
  for (let i = 1; i < requests.length; i++) assert.ok(requests[i]!.arrivalMs >= requests[i - 1]!.arrivalMs);
  assert.deepEqual(all(spec, 7), requests);
  assert.notDeepEqual(all(spec, 8), requests);
});

test('shared-prefix workload: every prompt opens with one of the groups, the rest is fresh', () => {
  const spec = { ...defaultSpec('shared-prefix'), requests: 2000, prefixGroups: 4, prefixTokens: 2048 };
  const requests = all(spec);
  const heads = new Map<string, number>();
  const seen = new Map<number, number>();
  for (const r of requests) {
    assert.ok(r.promptTokens >= 2048 + 1);
    assert.equal(r.blockHashes.length, Math.floor(r.promptTokens / 512));
    const head = r.blockHashes.slice(0, 4).join(',');
    heads.set(head, (heads.get(head) ?? 0) + 1);
    for (const id of r.blockHashes.slice(4)) seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  assert.equal(heads.size, 4);
  for (const count of heads.values()) assert.ok(Math.abs(count - 500) < 80, `group share ${count}`);
  assert.ok([...seen.values()].every((c) => c === 1), 'suffix blocks are never shared');
});

test('agent sessions: each turn resends the previous prompt, so its block ids extend the previous ones', () => {
  const spec = { ...defaultSpec('agent'), requests: 3000, ratePerS: 20 };
  const requests = all(spec, 3);
  assert.equal(requests.length, 3000);
  // Index prompts by their first non-shared block: a session's turns share it.
  const shared = Math.floor(spec.prefixTokens / spec.blockTokens);
  const sessions = new Map<number, SimRequest[]>();
  for (const r of requests) {
    const key = r.blockHashes[shared];
    if (key === undefined) continue; // a first turn shorter than the shared prefix plus one block
    sessions.set(key, [...(sessions.get(key) ?? []), r]);
  }
  const multi = [...sessions.values()].filter((turns) => turns.length > 1);
  assert.ok(multi.length > 50, `multi-turn sessions ${multi.length}`);
  let turns = 0;
  for (const session of multi) {
    for (let i = 1; i < session.length; i++) {
      const prev = session[i - 1]!;
      const cur = session[i]!;
      assert.ok(cur.promptTokens > prev.promptTokens + prev.outputTokens, 'the prompt grows by the answer and new input');
      assert.deepEqual(cur.blockHashes.slice(0, prev.blockHashes.length), prev.blockHashes);
      assert.ok(cur.arrivalMs >= prev.arrivalMs + prev.outputTokens * spec.paceMsPerOutputToken);
      turns++;
    }
  }
  assert.ok(turns > 1000);
  const rate = requests.length / (requests.at(-1)!.arrivalMs / 1000);
  assert.ok(rate > 10 && rate < 30, `agent request rate ${rate}`);
});

test('conversation sessions all open with the shared system prompt', () => {
  const requests = all({ ...defaultSpec('conversation'), requests: 500 });
  const first = requests[0]!.blockHashes.slice(0, 2);
  assert.ok(requests.every((r) => r.blockHashes[0] === first[0] && r.blockHashes[1] === first[1]));
});

test('a workload YAML overrides its kind defaults; bad fields are named', () => {
  const spec = readWorkloadFile(fileURLToPath(new URL('../__fixtures__/workload-agent.yaml', import.meta.url)));
  assert.equal(spec.kind, 'agent');
  assert.equal(spec.requests, 200);
  assert.deepEqual(spec.arrival, { process: 'gamma', cv: 2 });
  assert.deepEqual(spec.output, { ...defaultSpec('agent').output, median: 120 });
  assert.throws(() => parseWorkloadFile('kind: chat\n', 'w.yaml'), /w\.yaml: kind: /);
  assert.throws(() => parseWorkloadFile('kind: agent\nrate: -1\n', 'w.yaml'), /w\.yaml: rate: /);
  assert.throws(() => parseWorkloadFile('kind: agent\nspeed: 3\n', 'w.yaml'), /w\.yaml: .*speed/);
  assert.throws(() => parseWorkloadFile('kind: agent\nturns: {min: 5, max: 2}\n', 'w.yaml'), /w\.yaml: turns: min 5 is above max 2/);
  assert.throws(() => parseWorkloadFile('kind: [agent\n', 'w.yaml'), /w\.yaml:\d+: invalid YAML/);
  assert.throws(() => readWorkloadFile('/nope/w.yaml'), /workload file not found: \/nope\/w\.yaml/);
});
