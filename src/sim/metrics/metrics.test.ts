import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../util/random.js';
import { EventHeap } from '../heap.js';
import { Samples } from './samples.js';
import { Timeline } from './timeline.js';

test('nearest-rank percentiles are exact', () => {
  const samples = new Samples(2);
  for (let v = 100; v >= 1; v--) samples.add(v);
  assert.deepEqual(samples.distribution(), { mean: 50.5, p50: 50, p90: 90, p99: 99 });
  samples.add(1000);
  assert.equal(samples.quantile(1), 1000);
  assert.deepEqual(new Samples().distribution(), { mean: 0, p50: 0, p90: 0, p99: 0 });
});

test('the event heap pops in (time, tie) order whatever the push order', () => {
  const heap = new EventHeap(4);
  const random = new Random(2);
  const pushed: [number, number, number][] = [];
  for (let i = 0; i < 5000; i++) {
    const time = random.int(200);
    pushed.push([time, i, i % 7]);
    heap.push(time, i, i % 7, i);
  }
  const popped: [number, number, number][] = [];
  while (heap.size > 0) {
    popped.push([heap.peekTime(), heap.peekPayload(), heap.peekKind()]);
    heap.pop();
  }
  pushed.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  assert.deepEqual(popped, pushed);
  assert.equal(heap.peekTime(), Infinity);
});

test('the timeline spreads busy time over buckets and doubles its width when full', () => {
  const timeline = new Timeline([2]);
  timeline.busy(0, 500, 2500); // 0.5 s in bucket 0, 1 s in bucket 1, 0.5 s in bucket 2
  timeline.waiting(0, 1200, 7);
  timeline.waiting(0, 1300, 3);
  let series = timeline.series();
  assert.equal(series.bucketMs, 1000);
  assert.deepEqual(series.utilisation[0], [0.25, 0.5, 0.25]);
  assert.deepEqual(series.waiting[0], [0, 7, 0]);
  timeline.queued(300_000, 4); // beyond 240 buckets of 1 s: width doubles
  series = timeline.series();
  assert.equal(series.bucketMs, 2000);
  assert.deepEqual(series.utilisation[0]!.slice(0, 2), [0.375, 0.125]);
  assert.equal(series.queued.at(-1), 4);
});
