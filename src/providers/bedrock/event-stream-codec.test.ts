import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { UpstreamError } from '../../errors/upstream-error.js';
import {
  EventStreamDecoder,
  decodeEventStream,
  encodeEventStreamMessage,
  type EventStreamMessage,
  type HeaderInput,
} from './event-stream-codec.js';

interface Vector {
  expectation: 'success' | 'failure';
  hex: string;
  headers?: Record<string, HeaderInput>;
  payload?: string;
}

const VECTORS = (
  JSON.parse(readFileSync(new URL('./__fixtures__/event-stream-vectors.json', import.meta.url), 'utf8')) as {
    vectors: Record<string, Vector>;
  }
).vectors;

function plainHeaders(headers: Record<string, HeaderInput>): Record<string, string | number> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, typeof v === 'string' ? v : v.int32]));
}

function isProtocolError(error: unknown): boolean {
  return error instanceof UpstreamError && error.kind === 'protocol';
}

for (const [name, vector] of Object.entries(VECTORS)) {
  test(`published vector ${name} (${vector.expectation})`, () => {
    const bytes = Buffer.from(vector.hex, 'hex');
    const decoder = new EventStreamDecoder();
    if (vector.expectation === 'failure') {
      assert.throws(() => {
        decoder.push(bytes);
        decoder.end();
      }, isProtocolError);
      return;
    }
    const messages = decoder.push(bytes);
    decoder.end();
    assert.equal(messages.length, 1);
    const message = messages[0] as EventStreamMessage;
    assert.deepEqual(message.headers, plainHeaders(vector.headers ?? {}));
    assert.equal(Buffer.from(message.payload).toString('utf8'), vector.payload);
    // Our encoder writes the same bytes AWS's codec wrote.
    assert.equal(Buffer.from(encodeEventStreamMessage(vector.headers ?? {}, vector.payload ?? '')).toString('hex'), vector.hex);
  });
}

function sampleStream(): Uint8Array {
  const frames = [
    encodeEventStreamMessage(
      { ':event-type': 'messageStart', ':content-type': 'application/json', ':message-type': 'event' },
      '{"role":"assistant","p":"abcdefgh"}',
    ),
    encodeEventStreamMessage(
      { ':event-type': 'contentBlockDelta', ':content-type': 'application/json', ':message-type': 'event' },
      '{"contentBlockIndex":0,"delta":{"text":"héllo 🙂"},"p":"abc"}',
    ),
    encodeEventStreamMessage({ ':event-type': 'messageStop', ':content-type': 'application/json', ':message-type': 'event' }, '{"stopReason":"end_turn"}'),
  ];
  return Buffer.concat(frames.map((f) => Buffer.from(f)));
}

test('decodes the same messages whatever the chunk boundaries', () => {
  const bytes = sampleStream();
  const whole = new EventStreamDecoder().push(bytes);
  assert.equal(whole.length, 3);
  assert.equal(whole[1]?.headers[':event-type'], 'contentBlockDelta');
  // Every single split point, and byte-by-byte.
  for (let cut = 1; cut < bytes.length; cut++) {
    const decoder = new EventStreamDecoder();
    const got = [...decoder.push(bytes.subarray(0, cut)), ...decoder.push(bytes.subarray(cut))];
    decoder.end();
    assert.deepEqual(got, whole, `split at ${cut}`);
  }
  const decoder = new EventStreamDecoder();
  const got: EventStreamMessage[] = [];
  for (const byte of bytes) got.push(...decoder.push(Uint8Array.of(byte)));
  assert.deepEqual(got, whole);
});

test('decodeEventStream reads an async body and rejects a truncated tail', async () => {
  const bytes = sampleStream();
  async function* body(limit: number) {
    for (let i = 0; i < limit; i += 7) yield bytes.subarray(i, Math.min(i + 7, limit));
  }
  const all: EventStreamMessage[] = [];
  for await (const message of decodeEventStream(body(bytes.length))) all.push(message);
  assert.equal(all.length, 3);
  await assert.rejects(async () => {
    for await (const message of decodeEventStream(body(bytes.length - 3))) void message;
  }, isProtocolError);
});

test('a flipped payload byte fails the message CRC; a flipped length fails the prelude CRC', () => {
  const bytes = Buffer.from(sampleStream());
  const payloadCorrupt = Buffer.from(bytes);
  payloadCorrupt[40] = (payloadCorrupt[40] ?? 0) ^ 0x01;
  assert.throws(() => new EventStreamDecoder().push(payloadCorrupt), (e: unknown) => isProtocolError(e) && /message CRC/.test(String(e)));
  const lengthCorrupt = Buffer.from(bytes);
  lengthCorrupt[3] = (lengthCorrupt[3] ?? 0) ^ 0x10;
  assert.throws(() => new EventStreamDecoder().push(lengthCorrupt), (e: unknown) => isProtocolError(e) && /prelude CRC/.test(String(e)));
  // A corrupt second frame still lets the first through before failing.
  const first = encodeEventStreamMessage({ ':event-type': 'messageStart' }, '{}');
  const decoder = new EventStreamDecoder();
  assert.equal(decoder.push(first).length, 1);
  assert.throws(() => decoder.push(payloadCorrupt), isProtocolError);
});

test('good frames before a corrupt one in the same chunk are delivered; the failure comes next', () => {
  const good = encodeEventStreamMessage({ ':event-type': 'messageStart' }, '{"role":"assistant"}');
  const bad = Buffer.from(encodeEventStreamMessage({ ':event-type': 'contentBlockDelta' }, '{"delta":{"text":"x"}}'));
  bad[bad.length - 8] = (bad[bad.length - 8] ?? 0) ^ 0x20;
  const decoder = new EventStreamDecoder();
  assert.equal(decoder.push(Buffer.concat([Buffer.from(good), bad])).length, 1);
  assert.throws(() => decoder.end(), isProtocolError);
});
