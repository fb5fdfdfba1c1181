import { readFileSync } from 'node:fs';
import type { RecordedResponse } from '../../../../test/support/fixture-server.js';
import { encodeEventStreamMessage } from '../event-stream-codec.js';
import { cutIntoChunks } from '../../adapter-test-support.js';

/**
 * Test helper: turns the readable fixtures in this folder into recorded HTTP responses. JSON fixtures are
 * `{status, headers, body}`; stream fixtures (`*.stream.json`) list frames, which are encoded to the binary
 * event-stream format here — with the header order of a recorded Bedrock frame — and then cut into
 * irregular chunks so that frames straddle writes on the socket.
 */
interface JsonFixture {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

type Frame = { event: string; payload: unknown } | { exception: string; payload: unknown };

interface StreamFixture {
  status: number;
  headers: Record<string, string>;
  frames: Frame[];
}

function read(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`./${name}`, import.meta.url), 'utf8'));
}

export function jsonFixture(name: string): RecordedResponse & { parsed: JsonFixture } {
  const fixture = read(name) as JsonFixture;
  return { status: fixture.status, headers: fixture.headers, body: JSON.stringify(fixture.body), parsed: fixture };
}

export function encodeFrame(frame: Frame): Uint8Array {
  const payload = JSON.stringify(frame.payload);
  if ('exception' in frame) {
    return encodeEventStreamMessage(
      { ':message-type': 'exception', ':exception-type': frame.exception, ':content-type': 'application/json' },
      payload,
    );
  }
  return encodeEventStreamMessage({ ':event-type': frame.event, ':content-type': 'application/json', ':message-type': 'event' }, payload);
}

/** Chunk sizes cycle through these, so boundaries fall inside preludes, headers, payloads and CRCs. */
const CUTS = [5, 61, 13, 200, 2, 97, 33];

export function streamFixture(name: string): RecordedResponse & { frames: Frame[] } {
  const fixture = read(name) as StreamFixture;
  const bytes = Buffer.concat(fixture.frames.map((f) => Buffer.from(encodeFrame(f))));
  const chunks = cutIntoChunks(bytes, CUTS);
  return { status: fixture.status, headers: fixture.headers, chunks, chunkDelayMs: 1, frames: fixture.frames };
}
