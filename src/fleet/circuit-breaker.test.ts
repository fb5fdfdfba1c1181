import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CircuitBreaker } from './circuit-breaker.js';

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 0;
  return { now: () => t, advance: (ms) => (t += ms) };
}

test('opens after N consecutive failures, half-opens after the cool-down, one probe closes it', () => {
  const time = clock();
  const breaker = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1000 }, time);
  breaker.onFailure();
  breaker.onFailure();
  assert.equal(breaker.state, 'closed');
  breaker.onSuccess();
  breaker.onFailure();
  breaker.onFailure();
  assert.equal(breaker.state, 'closed', 'a success resets the count');
  breaker.onFailure();
  assert.equal(breaker.state, 'open');
  assert.equal(breaker.available(), false);
  time.advance(1000);
  assert.equal(breaker.state, 'half-open');
  assert.equal(breaker.available(), true);
  breaker.onDispatch();
  assert.equal(breaker.available(), false, 'only one probe at a time');
  breaker.onSuccess();
  assert.equal(breaker.state, 'closed');
});

test('a failed probe re-opens for another cool-down; a neutral end frees the probe slot', () => {
  const time = clock();
  const breaker = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 500 }, time);
  breaker.onFailure();
  time.advance(500);
  breaker.onDispatch();
  breaker.onFailure();
  assert.equal(breaker.state, 'open');
  time.advance(499);
  assert.equal(breaker.available(), false);
  time.advance(1);
  breaker.onDispatch();
  breaker.onNeutral();
  assert.equal(breaker.available(), true);
});

test('retry-after pauses the replica for exactly that long', () => {
  const time = clock();
  const breaker = new CircuitBreaker({ failureThreshold: 5, cooldownMs: 10_000 }, time);
  breaker.pauseFor(200);
  assert.equal(breaker.available(), false);
  time.advance(200);
  assert.equal(breaker.available(), true);
});
