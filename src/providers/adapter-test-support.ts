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
import type { StreamEvent } from '../spec/stream.js';

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

export async function collect(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}
