/**
 * Shared setup for adapter tests that send real HTTP to the fixture server (test/support/fixture-server.ts)
 * through the real undici transport: the Bedrock and Gemini adapter tests had the same twenty lines each.
 * Test code only; not imported by anything that ships.
 */
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startFixtureServer, type CapturedRequest, type FixtureServer, type RecordedResponse } from '../../test/support/fixture-server.js';
import { createUndiciTransport, type UndiciTransport } from '../transport/undici-transport.js';
import type { CallContext } from '../spec/adapter.js';
import type { ChatRequest } from '../spec/request.js';

/** The fixture upstream of one test file: started before its tests, closed after them. */
export interface FixtureUpstream {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly requests: CapturedRequest[];
  respond(...responses: RecordedResponse[]): void;
  /** The last request the upstream saw (fails the test when there was none). */
  lastRequest(): CapturedRequest;
  /** A call context on the shared transport, with a fresh abort signal and a zero clock. */
  context(requestId: string): CallContext;
}

/** Call at the top level of a test file: registers the `before`/`after` hooks that start and close it. */
export function fixtureUpstream(): FixtureUpstream {
  let server: FixtureServer | undefined;
  let transport: UndiciTransport | undefined;
  before(async () => {
    server = await startFixtureServer();
    transport = createUndiciTransport();
  });
  after(async () => {
    await transport?.close();
    await server?.close();
  });
  const started = (): FixtureServer => {
    if (server === undefined) throw new Error('the fixture upstream is used before its before() hook ran');
    return server;
  };
  return {
    get url() {
      return started().url;
    },
    get requests() {
      return started().requests;
    },
    respond: (...responses) => started().respond(...responses),
    lastRequest() {
      const { requests } = started();
      const captured = requests[requests.length - 1];
      assert.ok(captured, 'the fixture server saw a request');
      return captured;
    },
    context: (requestId) => {
      if (transport === undefined) throw new Error('the fixture upstream is used before its before() hook ran');
      return { transport, signal: new AbortController().signal, requestId, clock: { now: () => 0 } };
    },
  };
}

/** A one-question chat request from the OpenAI surface, with a system prompt; `overrides` win. */
export function chatRequest(question: string, maxOutputTokens: number, overrides: Partial<ChatRequest> = {}): ChatRequest {
  return {
    model: 'rail-assistant',
    system: [{ type: 'text', text: 'You are a dispatcher.' }],
    messages: [{ role: 'user', content: [{ type: 'text', text: question }] }],
    maxOutputTokens,
    stream: false,
    surface: 'openai',
    ...overrides,
  };
}

/** Every event an adapter streamed, in order (its batches flattened). */
export { flatten as collect } from '../../test/support/event-batches.js';

/**
 * Cuts a recorded body into chunks whose sizes cycle through `cuts`, so the adapter's parser meets
 * boundaries inside frames, lines and multi-byte characters, as it would off a real socket.
 */
export function cutIntoChunks(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const size = cuts[i % cuts.length] ?? 16;
    chunks.push(new Uint8Array(bytes.subarray(at, at + size)));
    at += size;
  }
  return chunks;
}
