import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { StreamEvent } from '../../spec/stream.js';
import { Random } from '../../util/random.js';
import { fromAnthropicStream } from './convert-stream.js';

/**
 * Seeded corruption of recorded Anthropic streams — fields replaced by odd values, events dropped or
 * duplicated, bytes cut anywhere — must never make the adapter throw: it yields canonical events and ends,
 * with at most one `error` event, which is then the last.
 */
const FIXTURES = ['text', 'tool-call', 'thinking', 'cache-usage', 'cache-write', 'stream-error'];
const ODD: unknown[] = [null, 0, -3, 'x', '', [], {}, true, { type: 'text_delta' }, 1e21];

function corrupt(rng: Random, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => corrupt(rng, item));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (rng.next() < 0.04) continue;
      out[key] = rng.next() < 0.06 ? ODD[rng.int(ODD.length)] : corrupt(rng, item);
    }
    return out;
  }
  return value;
}

async function* bytes(rng: Random, text: string): AsyncGenerator<Uint8Array> {
  const encoded = new TextEncoder().encode(text);
  for (let i = 0; i < encoded.length; ) {
    const n = 1 + rng.int(200);
    yield encoded.slice(i, i + n);
    i += n;
  }
}

test('corrupted Anthropic streams never make the adapter throw', async () => {
  const rng = new Random(99);
  const KINDS = new Set(['response-start', 'text-delta', 'reasoning-delta', 'tool-call-start', 'tool-call-delta', 'tool-call-end', 'usage', 'finish', 'error']);
  for (let round = 0; round < 400; round++) {
    const name = FIXTURES[rng.int(FIXTURES.length)] as string;
    const raw = readFileSync(new URL(`./__fixtures__/${name}.chunks.txt`, import.meta.url), 'utf8');
    const frames = raw.split('\n\n').filter((frame) => frame !== '');
    const out: string[] = [];
    for (const frame of frames) {
      if (rng.next() < 0.05) continue;
      const dataAt = frame.indexOf('data: ');
      const head = frame.slice(0, dataAt);
      const data = JSON.parse(frame.slice(dataAt + 6)) as unknown;
      const text = rng.next() < 0.02 ? '{"type":' : JSON.stringify(corrupt(rng, data));
      out.push(`${head}data: ${text}\n\n`);
      if (rng.next() < 0.03) out.push(`${head}data: ${text}\n\n`);
    }
    const events: StreamEvent[] = [];
    for await (const batch of fromAnthropicStream(bytes(rng, out.join('')))) events.push(...batch);
    for (const event of events) assert.ok(KINDS.has(event.type), event.type);
    const errors = events.filter((event) => event.type === 'error');
    assert.ok(errors.length <= 1, `round ${round}: at most one error`);
    if (errors.length === 1) assert.equal(events.at(-1)?.type, 'error', `round ${round}: the error is last`);
  }
});
