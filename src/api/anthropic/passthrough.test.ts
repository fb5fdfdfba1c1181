import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Anthropic, { APIError } from '@anthropic-ai/sdk';
import { sseChunks, startFixtureServer, type FixtureServer } from '../../../test/support/fixture-server.js';
import { createUndiciTransport, type UndiciTransport } from '../../transport/undici-transport.js';
import type { CallContext, UpstreamTarget } from '../../spec/adapter.js';
import { renderError } from '../../errors/render.js';
import { AnthropicAdapter } from '../../providers/anthropic/anthropic-adapter.js';
import { parseMessagesRequest, renderMessagesResponse, MessagesStreamRenderer } from './index.js';

/**
 * The whole Anthropic path without the gateway's routing: the real SDK → this surface → the Anthropic
 * adapter → a fixture server replaying Anthropic's bytes → back through the adapter and the surface → the
 * SDK. The SDK's `fetch` is the seam; no network leaves the machine.
 */
const FIXTURES = new URL('../../providers/anthropic/__fixtures__/', import.meta.url);
const adapter = new AnthropicAdapter();
let server: FixtureServer;
let transport: UndiciTransport;
let upstream: UpstreamTarget;

before(async () => {
  server = await startFixtureServer();
  transport = createUndiciTransport();
  upstream = { baseUrl: server.url, upstreamModel: 'claude-sonnet-4-5-20250929', apiKey: 'sk-ant-upstream' };
});
after(async () => {
  await transport.close();
  await server.close();
});

function replayStream(name: string): void {
  const chunks = sseChunks(readFileSync(new URL(`${name}.chunks.txt`, FIXTURES), 'utf8'));
  server.respond({ status: 200, headers: { 'content-type': 'text/event-stream; charset=utf-8' }, chunks });
}

function replayJson(name: string): void {
  const meta = JSON.parse(readFileSync(new URL(`${name}.headers.json`, FIXTURES), 'utf8')) as {
    status: number;
    headers: Record<string, string>;
  };
  server.respond({ ...meta, body: readFileSync(new URL(`${name}.json`, FIXTURES), 'utf8') });
}

/** A one-route "gateway" as a fetch function: parse, call the adapter, render. */
async function gatewayFetch(_url: string | URL | Request, init?: RequestInit): Promise<Response> {
  const context: CallContext = { transport, signal: new AbortController().signal, requestId: 'req_1', clock: { now: () => 0 } };
  try {
    const request = parseMessagesRequest(JSON.parse(String(init?.body)));
    if (!request.stream) {
      const response = await adapter.chat(request, upstream, context);
      return Response.json(renderMessagesResponse(response, { model: request.model }));
    }
    const batches = (await adapter.streamChat(request, upstream, context))[Symbol.asyncIterator]();
    const renderer = new MessagesStreamRenderer({ model: request.model });
    const encoder = new TextEncoder();
    // One network chunk per upstream batch, as the stream phase writes them.
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (renderer.done) return controller.close();
        const next = await batches.next();
        let frames = '';
        if (next.done === true) frames = renderer.end();
        else for (const event of next.value) if (!renderer.done) frames += renderer.push(event);
        controller.enqueue(encoder.encode(frames));
      },
    });
    return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
  } catch (error) {
    const rendered = renderError(error, 'anthropic', 'req_1');
    return Response.json(rendered.body, { status: rendered.status, headers: rendered.headers });
  }
}

const client = () => new Anthropic({ apiKey: 'sk-gateway', baseURL: 'http://gateway.test', maxRetries: 0, fetch: gatewayFetch });

test('streamed cached-token usage reaches the SDK intact (LiteLLM #11789, #42663)', async () => {
  replayStream('cache-usage');
  const message = await client()
    .messages.stream({ model: 'claude-public', max_tokens: 64, messages: [{ role: 'user', content: 'again' }] })
    .finalMessage();
  assert.equal(message.model, 'claude-public');
  assert.deepEqual(message.content, [{ type: 'text', text: 'Cached prefix reused.' }]);
  assert.equal(message.usage.input_tokens, 9);
  assert.equal(message.usage.cache_read_input_tokens, 12982);
  assert.equal(message.usage.cache_creation_input_tokens, 0);
  assert.equal(message.usage.output_tokens, 6);
  // What the upstream was sent: the client's request in Anthropic's words, for the upstream model.
  const sent = JSON.parse(server.requests.at(-1)?.body ?? '{}') as Record<string, unknown>;
  assert.equal(sent['model'], 'claude-sonnet-4-5-20250929');
  assert.equal(sent['stream'], true);
});

test('streamed tool calls and thinking accumulate like Anthropic’s own', async () => {
  replayStream('tool-call');
  const tools = await client()
    .messages.stream({ model: 'claude-public', max_tokens: 64, messages: [{ role: 'user', content: 'status?' }] })
    .finalMessage();
  assert.equal(tools.stop_reason, 'tool_use');
  assert.deepEqual(
    tools.content.map((block) => (block.type === 'tool_use' ? block.input : block.type)),
    ['text', { pool: 'h100-east', fields: ['queue', 'kv_usage'] }, { pool: 'l40s-west', fields: ['queue'] }],
  );
  replayStream('thinking');
  const thought = await client()
    .messages.stream({ model: 'claude-public', max_tokens: 4096, messages: [{ role: 'user', content: 'which pool?' }] })
    .finalMessage();
  assert.equal(thought.content[0]?.type, 'thinking');
  assert.equal(thought.content[1]?.type, 'text');
});

test('non-streamed cache usage', async () => {
  replayJson('cache-usage');
  const message = await client().messages.create({ model: 'claude-public', max_tokens: 64, messages: [{ role: 'user', content: 'x' }] });
  assert.deepEqual(
    [message.usage.input_tokens, message.usage.cache_read_input_tokens, message.usage.cache_creation_input_tokens, message.usage.output_tokens],
    [18, 10752, 2230, 24],
  );
});

test('upstream errors reach the SDK as errors: before the stream and inside it', async () => {
  replayJson('overloaded');
  await assert.rejects(
    client().messages.create({ model: 'claude-public', max_tokens: 64, messages: [{ role: 'user', content: 'x' }] }),
    (error: unknown) => error instanceof APIError && (error.status ?? 0) >= 500,
  );
  replayStream('stream-error');
  await assert.rejects(
    client().messages.stream({ model: 'claude-public', max_tokens: 64, messages: [{ role: 'user', content: 'x' }] }).finalMessage(),
    (error: unknown) => error instanceof APIError && error.type === 'overloaded_error',
  );
});

test('a malformed request is a 400 naming the field', async () => {
  await assert.rejects(
    client().messages.create({
      model: 'claude-public',
      max_tokens: 64,
      // @ts-expect-error: deliberately malformed block, as a buggy client would send it
      messages: [{ role: 'user', content: [{ type: 'foo' }] }],
    }),
    (error: unknown) =>
      error instanceof APIError &&
      error.status === 400 &&
      error.type === 'invalid_request_error' &&
      error.apiMessage === 'messages.0.content.0.type: unknown block type "foo"',
  );
});
