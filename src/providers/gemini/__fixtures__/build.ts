import { readFileSync } from 'node:fs';
import type { RecordedResponse } from '../../../../test/support/fixture-server.js';
import { cutIntoChunks } from '../../adapter-test-support.js';

/**
 * Test helper: unary fixtures are `{status, headers, body}`; `.sse` files are the raw bytes of a
 * `streamGenerateContent?alt=sse` body (CRLF-separated `data:` lines, as Gemini sends them), replayed in
 * irregular chunks so that events and UTF-8 characters straddle socket writes.
 */
export function jsonFixture(name: string): RecordedResponse {
  const fixture = JSON.parse(readFileSync(new URL(`./${name}`, import.meta.url), 'utf8')) as {
    status: number;
    headers: Record<string, string>;
    body: unknown;
  };
  return { status: fixture.status, headers: fixture.headers, body: JSON.stringify(fixture.body, null, 2) };
}

const CUTS = [7, 113, 29, 301, 3, 64];

export function sseFixture(name: string): RecordedResponse {
  const bytes = readFileSync(new URL(`./${name}`, import.meta.url));
  const chunks = cutIntoChunks(bytes, CUTS);
  return { status: 200, headers: { 'content-type': 'text/event-stream', 'x-content-type-options': 'nosniff' }, chunks, chunkDelayMs: 1 };
}
