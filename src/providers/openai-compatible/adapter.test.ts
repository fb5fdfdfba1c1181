import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFixtureServer, loadFixture, sseChunks, type FixtureServer } from '../../../test/support/fixture-server.js';
import { createUndiciTransport, type UndiciTransport } from '../../transport/undici-transport.js';
import { UpstreamError } from '../../errors/upstream-error.js';
import type { CallContext, UpstreamTarget } from '../../spec/adapter.js';
import type { ChatRequest } from '../../spec/request.js';
import type { StreamEvent } from '../../spec/stream.js';
import { createOpenAICompatibleAdapter } from './adapter.js';
import { flatten as collect } from '../../../test/support/event-batches.js';

const fixture = (name: string): string => loadFixture(import.meta.url, `__fixtures__/${name}`);
const json = { 'content-type': 'application/json' };
const sse = { 'content-type': 'text/event-stream; charset=utf-8' };

function chat(overrides: Partial<ChatRequest> = {}): ChatRequest {
  return {
    model: 'rail-small',
    system: [{ type: 'text', text: 'You are terse.' }],
    messages: [{ role: 'user', content: [{ type: 'text', text: 'Status?' }] }],
    stream: false,
    surface: 'openai',
    ...overrides,
  };
}


describe('openai-compatible adapter against recorded wire formats', () => {
  let server: FixtureServer;
  let transport: UndiciTransport;
  let target: UpstreamTarget;
  const adapter = createOpenAICompatibleAdapter();
  const context = (): CallContext => ({ transport, signal: new AbortController().signal, requestId: 'req_test', clock: { now: () => 0 } });

  before(async () => {
    server = await startFixtureServer();
    transport = createUndiciTransport();
    target = { baseUrl: `${server.url}/v1`, upstreamModel: 'gpt-4o-mini', apiKey: 'sk-test', options: { vendor: 'openai' } };
  });
  after(async () => {
    await transport.close();
    await server.close();
  });

  test('plain text: request body and response mapping', async () => {
    server.respond({ status: 200, headers: json, body: fixture('chat-basic.json') });
    const response = await adapter.chat(chat({ maxOutputTokens: 50, temperature: 0.2, extra: { logprobs: false } }), target, context());
    assert.deepEqual(response.content, [{ type: 'text', text: 'Rails carry trains; gateways carry tokens.' }]);
    assert.equal(response.finishReason, 'stop');
    assert.deepEqual(response.usage, { inputTokens: 19, cachedInputTokens: 0, cacheWriteTokens: undefined, outputTokens: 9, reasoningTokens: 0 });
    const sent = server.requests.at(-1);
    assert.equal(sent?.url, '/v1/chat/completions');
    assert.equal(sent?.headers.authorization, 'Bearer sk-test');
    const body = JSON.parse(sent?.body ?? '{}') as Record<string, unknown>;
    assert.equal(body.model, 'gpt-4o-mini');
    assert.equal(body.max_completion_tokens, 50, 'openai vendor uses max_completion_tokens');
    assert.equal(body.logprobs, false, 'unknown fields are forwarded to same-dialect upstreams');
    assert.deepEqual(body.messages, [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Status?' },
    ]);
  });

  test('cached tokens survive into canonical usage', async () => {
    server.respond({ status: 200, headers: json, body: fixture('chat-cached-usage.json') });
    const response = await adapter.chat(chat(), target, context());
    assert.equal(response.usage.inputTokens, 2306);
    assert.equal(response.usage.cachedInputTokens, 2048);
  });

  test('tool calls (parallel) map to tool-use blocks', async () => {
    server.respond({ status: 200, headers: json, body: fixture('chat-tools.json') });
    const response = await adapter.chat(chat(), target, context());
    assert.equal(response.finishReason, 'tool-calls');
    assert.deepEqual(response.content, [
      { type: 'tool-use', id: 'call_sw1tchyardA', name: 'get_departures', input: { station: 'Zurich HB', limit: 3 } },
      { type: 'tool-use', id: 'call_sw1tchyardB', name: 'get_departures', input: { station: 'Basel SBB', limit: 3 } },
    ]);
  });

  test('stream: text deltas, finish, usage with cached tokens; include_usage always requested', async () => {
    server.respond({ status: 200, headers: sse, chunks: sseChunks(fixture('chat-stream.chunks.txt')) });
    const events = await collect(await adapter.streamChat(chat({ stream: true }), target, context()));
    const body = JSON.parse(server.requests.at(-1)?.body ?? '{}') as Record<string, unknown>;
    assert.deepEqual(body.stream_options, { include_usage: true });
    assert.deepEqual(
      events.filter((e) => e.type === 'text-delta').map((e) => (e.type === 'text-delta' ? e.text : '')),
      ['Signal', ' is', ' green.'],
    );
    assert.deepEqual(events[0], { type: 'response-start', id: 'chatcmpl-Sw1tchYardStream0004', model: 'gpt-4o-mini-2024-07-18' });
    const finish = events.find((e) => e.type === 'finish');
    assert.deepEqual(finish, { type: 'finish', reason: 'stop', raw: 'stop' });
    const usage = events.find((e) => e.type === 'usage');
    assert.equal(usage?.type === 'usage' ? usage.usage.cachedInputTokens : -1, 1280);
  });

  test('vLLM stream: cached tokens from prompt_tokens_details; top_k kept for vllm', async () => {
    server.respond({ status: 200, headers: sse, chunks: sseChunks(fixture('vllm-stream-cached.chunks.txt')) });
    const vllm = { ...target, options: { vendor: 'vllm' } };
    const events = await collect(await adapter.streamChat(chat({ stream: true, topK: 20, maxOutputTokens: 8 }), vllm, context()));
    const body = JSON.parse(server.requests.at(-1)?.body ?? '{}') as Record<string, unknown>;
    assert.equal(body.top_k, 20);
    assert.equal(body.max_tokens, 8);
    const usage = events.find((e) => e.type === 'usage');
    assert.deepEqual(usage, {
      type: 'usage',
      usage: { inputTokens: 530, cachedInputTokens: 512, cacheWriteTokens: undefined, outputTokens: 3, reasoningTokens: undefined },
    });
    assert.equal(events.filter((e) => e.type === 'text-delta').length, 3);
  });

  test('streamed tool calls: start, argument deltas by index, end', async () => {
    server.respond({ status: 200, headers: sse, chunks: sseChunks(fixture('chat-tools-stream.chunks.txt')) });
    const events = await collect(await adapter.streamChat(chat({ stream: true }), target, context()));
    const starts = events.filter((e) => e.type === 'tool-call-start');
    assert.deepEqual(starts, [
      { type: 'tool-call-start', index: 0, id: 'call_sw1tchyardC', name: 'get_departures' },
      { type: 'tool-call-start', index: 1, id: 'call_sw1tchyardD', name: 'get_weather' },
    ]);
    const args = (index: number): string =>
      events.map((e) => (e.type === 'tool-call-delta' && e.index === index ? e.argumentsDelta : '')).join('');
    assert.deepEqual(JSON.parse(args(0)), { station: 'Bern' });
    assert.deepEqual(JSON.parse(args(1)), { city: 'Bern' });
    assert.deepEqual(events.find((e) => e.type === 'finish'), { type: 'finish', reason: 'tool-calls', raw: 'tool_calls' });
  });

  test('4xx: not retryable, keeps the upstream message and body', async () => {
    server.respond({ status: 400, headers: json, body: fixture('error-400.json') });
    await assert.rejects(adapter.chat(chat(), target, context()), (error: unknown) => {
      assert.ok(error instanceof UpstreamError);
      assert.equal(error.upstreamStatus, 400);
      assert.equal(error.retryable, false);
      assert.match(error.message, /Invalid type for 'temperature'/);
      return true;
    });
  });

  test('5xx (vLLM error shape): retryable', async () => {
    server.respond({ status: 500, headers: json, body: fixture('vllm-error-500.json') });
    await assert.rejects(adapter.chat(chat(), target, context()), (error: unknown) => {
      assert.ok(error instanceof UpstreamError);
      assert.equal(error.retryable, true);
      assert.match(error.message, /no free KV cache blocks/);
      return true;
    });
  });

  test('429 with retry-after: retryable, wait parsed', async () => {
    server.respond({ status: 429, headers: { ...json, 'retry-after': '2' }, body: fixture('error-429.json') });
    await assert.rejects(adapter.streamChat(chat({ stream: true }), target, context()), (error: unknown) => {
      assert.ok(error instanceof UpstreamError);
      assert.equal(error.retryable, true);
      assert.equal(error.retryAfterMs, 2000);
      assert.equal(error.code, 'upstream_unavailable');
      return true;
    });
  });

  test('a stream cut off mid-way ends with an error event, not a throw', async () => {
    const chunks = sseChunks(fixture('chat-stream.chunks.txt')).slice(0, 3);
    server.respond({ status: 200, headers: sse, chunks, chunkDelayMs: 5, disconnect: true });
    const events = await collect(await adapter.streamChat(chat({ stream: true }), target, context()));
    assert.equal(events.at(-1)?.type, 'error');
  });

  test('multi-part content with images and tool results converts to OpenAI messages', async () => {
    server.respond({ status: 200, headers: json, body: fixture('chat-basic.json') });
    await adapter.chat(
      chat({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is this?' },
              { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' }, detail: 'low' },
            ],
          },
          { role: 'assistant', content: [{ type: 'tool-use', id: 'call_1', name: 'look', input: { zoom: 2 } }] },
          { role: 'user', content: [{ type: 'tool-result', toolUseId: 'call_1', content: [{ type: 'text', text: 'a locomotive' }] }] },
        ],
        tools: [{ name: 'look', inputSchema: { type: 'object' } }],
        toolChoice: { type: 'tool', name: 'look' },
        responseFormat: { type: 'json-schema', name: 'answer', schema: { type: 'object' }, strict: true },
      }),
      target,
      context(),
    );
    const body = JSON.parse(server.requests.at(-1)?.body ?? '{}') as { messages: unknown[]; tool_choice: unknown; response_format: unknown };
    assert.deepEqual(body.messages.slice(1), [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is this?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' } },
        ],
      },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'look', arguments: '{"zoom":2}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'a locomotive' },
    ]);
    assert.deepEqual(body.tool_choice, { type: 'function', function: { name: 'look' } });
    assert.deepEqual(body.response_format, { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' }, strict: true } });
  });
});
