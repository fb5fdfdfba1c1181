import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExpiry, parseSince } from './since.js';
import { isTagName, tagsRecord } from './tags.js';

test('since: relative spans and ISO dates, in UTC', () => {
  const now = Date.UTC(2026, 10, 22, 12);
  assert.equal(parseSince('7d', now), now - 7 * 86_400_000);
  assert.equal(parseSince('24h', now), now - 86_400_000);
  assert.equal(parseSince('90m', now), now - 5_400_000);
  assert.equal(parseSince('2w', now), now - 14 * 86_400_000);
  assert.equal(parseSince('2026-11-01', now), Date.UTC(2026, 10, 1));
  assert.equal(parseSince('2026-11-01T08:00:00', now), Date.UTC(2026, 10, 1, 8));
  assert.equal(parseSince('2026-11-01T08:00:00+02:00', now), Date.UTC(2026, 10, 1, 6));
  for (const bad of ['', 'yesterday', '7', '7y', '2026-13-45']) assert.throws(() => parseSince(bad, now), RangeError, bad);
});

test('tags: the gateway\'s list becomes one object per row; bare tags are flags', () => {
  assert.equal(tagsRecord([]), undefined);
  assert.deepEqual(tagsRecord(['team=search', ' env = prod ', 'canary']), { team: 'search', env: 'prod', canary: 'true' });
  assert.equal(isTagName('team'), true);
  assert.equal(isTagName('a"b'), false);
});

test('expiry: spans forward from now, or an ISO date', () => {
  const now = Date.UTC(2026, 10, 22);
  assert.equal(parseExpiry('30d', now), now + 30 * 86_400_000);
  assert.equal(parseExpiry('2027-01-01', now), Date.UTC(2027, 0, 1));
  assert.throws(() => parseExpiry('soon', now), RangeError);
});
