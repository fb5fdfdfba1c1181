import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { sseChunks, startFixtureServer, type FixtureServer, type RecordedResponse } from '../../../test/support/fixture-server.js';
import { createUndiciTransport, type UndiciTransport } from '../../transport/undici-transport.js';
import type { CallContext, UpstreamTarget } from '../../spec/adapter.js';
import type { ChatRequest } from '../../spec/request.js';
import type { StreamEvent } from '../../spec/stream.js';
import { UpstreamError } from '../../errors/upstream-error.js';
import { AnthropicAdapter, endpoint } from './anthropic-adapter.js';
import { flatten as collect } from '../../../test/support/event-batches.js';

// ---- fixtures -------------------------------------------------------------------------------------------

const DIR = new URL('./__fixtures__/', import.meta.url);
const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };

function meta(name: string): { status: number; headers: Record<string, string> } | undefined {
  const url = new URL(name, DIR);
  if (!existsSync(url)) return undefined;
  return JSON.parse(readFileSync(url, 'utf8')) as { status: number; headers: Record<string, string> };
}

/** `<case>.json` with its `<case>.headers.json`. */
function jsonFixture(name: string): RecordedResponse {
  const head = meta(`${name}.headers.json`);
  if (head === undefined) throw new Error(`fixture ${name}.headers.json missing`);
  return { status: head.status, headers: head.headers, body: readFileSync(new URL(`${name}.json`, DIR), 'utf8') };
}

/** `<case>.chunks.txt`, one SSE event per socket write. */
function streamFixture(name: string, options: { dropLast?: number; disconnect?: boolean } = {}): RecordedResponse {
  const head = meta(`${name}.chunks.headers.json`) ?? { status: 200, headers: SSE_HEADERS };
  let chunks = sseChunks(readFileSync(new URL(`${name}.chunks.txt`, DIR), 'utf8'));
  if (options.dropLast !== undefined) chunks = chunks.slice(0, chunks.length - options.dropLast);
  // A small gap between writes lets the headers and early events leave before a simulated disconnect.
  return { status: head.status, headers: head.headers, chunks, ...(options.disconnect === true ? { disconnect: true, chunkDelayMs: 2 } : {}) };
}


// ---- setup --------------------------------------------------------------------------------------------

const adapter = new AnthropicAdapter();
let server: FixtureServer;
let transport: UndiciTransport;
let ctx: CallContext;
let upstream: UpstreamTarget;

before(async () => {
  server = await startFixtureServer();
  transport = createUndiciTransport();
  ctx = { transport, signal: new AbortController().signal, requestId: 'req-test', clock: { now: () => performance.now() } };
  upstream = { baseUrl: server.url, upstreamModel: 'claude-sonnet-4-5-20250929', apiKey: 'sk-ant-test-key' };
});

after(async () => {
  await transport.close();
  await server.close();
});

const request: ChatRequest = {
  model: 'claude-public',
  system: [{ type: 'text', text: 'Be brief.' }],
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Where should this request go?' }] }],
  maxOutputTokens: 256,
  stream: false,
  surface: 'anthropic',
};

function lastSent(): { url: string; headers: Record<string, unknown>; body: Record<string, unknown> } {
  const sent = server.requests.at(-1);
  assert.ok(sent, 'the adapter called the upstream');
  return { url: sent.url, headers: sent.headers, body: JSON.parse(sent.body) as Record<string, unknown> };
}

// ---- non-streaming --------------------------------------------------------------------------------------

describe('AnthropicAdapter.chat', () => {
  test('sends an authenticated Messages request and maps a text answer', async () => {
    server.respond(jsonFixture('text'));
    const response = await adapter.chat(request, upstream, ctx);
    const sent = lastSent();
    assert.equal(sent.url, '/v1/messages');
    assert.equal(sent.headers['x-api-key'], 'sk-ant-test-key');
    assert.equal(sent.headers['anthropic-version'], '2023-06-01');
    assert.equal(sent.headers['content-type'], 'application/json');
    assert.deepEqual(sent.body, {
      model: 'claude-sonnet-4-5-20250929',
      max_tokens: 256,
      system: [{ type: 'text', text: 'Be brief.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Where should this request go?' }] }],
    });
    assert.deepEqual(response, {
      id: 'msg_01Hx7TqW3nVbK9pLmE2sRgYd',
      model: 'claude-sonnet-4-5-20250929',
      content: [
        { type: 'text', text: 'Switchyard routes each request to the cheapest replica that still meets its latency objective.' },
      ],
      finishReason: 'stop',
      rawFinishReason: 'end_turn',
      usage: { inputTokens: 21, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 19, reasoningTokens: undefined },
    });
  });

  test('anthropic-beta: the config’s and an Anthropic client’s, merged; never an OpenAI client’s', async () => {
    const withBeta = { ...upstream, options: { beta: 'token-efficient-tools-2025-02-19' } };
    server.respond(jsonFixture('text'));
    await adapter.chat({ ...request, headers: { 'anthropic-beta': 'context-management-2025-06-27, token-efficient-tools-2025-02-19' } }, withBeta, ctx);
    assert.equal(lastSent().headers['anthropic-beta'], 'token-efficient-tools-2025-02-19,context-management-2025-06-27');
    server.respond(jsonFixture('text'));
    await adapter.chat({ ...request, surface: 'openai', headers: { 'anthropic-beta': 'x' } }, upstream, ctx);
    assert.equal(lastSent().headers['anthropic-beta'], undefined);
  });

  test('tool calls', async () => {
    server.respond(jsonFixture('tool-call'));
    const response = await adapter.chat(request, upstream, ctx);
    assert.equal(response.finishReason, 'tool-calls');
    assert.deepEqual(response.content.slice(1), [
      { type: 'tool-use', id: 'toolu_01Ab3Cd4Ef5Gh6Ij7Kl8Mn9P', name: 'pool_status', input: { pool: 'h100-east', fields: ['queue', 'kv_usage'] } },
      { type: 'tool-use', id: 'toolu_01Zy9Xw8Vu7Ts6Rq5Po4Nm3L', name: 'pool_status', input: { pool: 'l40s-west', fields: ['queue'] } },
    ]);
  });

  test('cache reads and writes are added back into inputTokens, and kept apart', async () => {
    server.respond(jsonFixture('cache-usage'));
    const { usage } = await adapter.chat(request, upstream, ctx);
    assert.deepEqual(usage, {
      inputTokens: 18 + 2230 + 10752,
      cachedInputTokens: 10752,
      cacheWriteTokens: 2230,
      outputTokens: 24,
      reasoningTokens: undefined,
    });
  });

  test('count_tokens', async () => {
    server.respond(jsonFixture('count-tokens'));
    assert.equal(await adapter.countTokens(request, upstream, ctx), 2095);
    const sent = lastSent();
    assert.equal(sent.url, '/v1/messages/count_tokens');
    assert.equal(sent.body['max_tokens'], undefined);
    assert.deepEqual(Object.keys(sent.body).sort(), ['messages', 'model', 'system']);
  });
});

// ---- errors ---------------------------------------------------------------------------------------------

describe('AnthropicAdapter errors', () => {
  const cases: Array<[string, number, boolean, string, number | undefined]> = [
    ['invalid-request', 400, false, 'invalid_request_error: max_tokens: Field required', undefined],
    ['rate-limit', 429, true, 'rate_limit_error', 7000],
    ['server-error', 500, true, 'api_error: Internal server error', undefined],
    ['overloaded', 529, true, 'overloaded_error: Overloaded', undefined],
  ];
  for (const [name, status, retryable, message, retryAfterMs] of cases) {
    test(`${status} ${name} → UpstreamError (chat and stream)`, async () => {
      for (const call of [() => adapter.chat(request, upstream, ctx), () => adapter.streamChat(request, upstream, ctx)]) {
        server.respond(jsonFixture(name));
        await assert.rejects(call(), (error: unknown) => {
          assert.ok(UpstreamError.isUpstream(error));
          assert.equal(error.kind, 'status');
          assert.equal(error.upstreamStatus, status);
          assert.equal(error.retryable, retryable);
          assert.ok(error.message.includes(message), error.message);
          assert.equal(error.retryAfterMs, retryAfterMs);
          assert.ok(error.body?.includes('"type":"error"'));
          return true;
        });
      }
    });
  }

  test('a 529 is overloaded: upstream_unavailable, never a 200', async () => {
    server.respond(jsonFixture('overloaded'));
    await assert.rejects(adapter.chat(request, upstream, ctx), (error: unknown) => {
      assert.ok(UpstreamError.isUpstream(error));
      assert.equal(error.code, 'upstream_unavailable');
      assert.ok(error.status >= 500);
      return true;
    });
  });

  test('an error envelope with a 200 status is still a failure (chat and stream)', async () => {
    const overloaded = jsonFixture('overloaded');
    for (const call of [() => adapter.chat(request, upstream, ctx), () => adapter.streamChat(request, upstream, ctx)]) {
      server.respond({ ...overloaded, status: 200 });
      await assert.rejects(call(), (error: unknown) => {
        assert.ok(UpstreamError.isUpstream(error));
        assert.equal(error.upstreamStatus, 529);
        assert.equal(error.retryable, true);
        return true;
      });
    }
  });

  test('an unreachable upstream rejects with a connect failure', async () => {
    const dead = { ...upstream, baseUrl: 'http://127.0.0.1:1' };
    await assert.rejects(adapter.chat(request, dead, ctx), (error: unknown) => UpstreamError.isUpstream(error) && error.kind === 'connect');
  });
});

// ---- streaming ------------------------------------------------------------------------------------------

describe('AnthropicAdapter.streamChat', () => {
  test('text stream → canonical events', async () => {
    server.respond(streamFixture('text'));
    const events = await collect(await adapter.streamChat(request, upstream, ctx));
    assert.equal(lastSent().body['stream'], true);
    assert.deepEqual(events, [
      { type: 'response-start', id: 'msg_01Qm4ZrT8vJcN2wXe6LbKyPa', model: 'claude-sonnet-4-5-20250929' },
      { type: 'usage', usage: { inputTokens: 14, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 1, reasoningTokens: undefined } },
      { type: 'text-delta', text: 'Rails' },
      { type: 'text-delta', text: ' for inference' },
      { type: 'text-delta', text: ': one API, many' },
      { type: 'text-delta', text: ' backends.' },
      { type: 'usage', usage: { inputTokens: 14, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 11, reasoningTokens: undefined } },
      { type: 'finish', reason: 'stop', raw: 'end_turn' },
    ]);
  });

  test('streamed tool calls: one index per tool, JSON fragments concatenate', async () => {
    server.respond(streamFixture('tool-call'));
    const events = await collect(await adapter.streamChat(request, upstream, ctx));
    const starts = events.filter((e) => e.type === 'tool-call-start');
    assert.deepEqual(starts, [
      { type: 'tool-call-start', index: 0, id: 'toolu_01Ab3Cd4Ef5Gh6Ij7Kl8Mn9P', name: 'pool_status' },
      { type: 'tool-call-start', index: 1, id: 'toolu_01Zy9Xw8Vu7Ts6Rq5Po4Nm3L', name: 'pool_status' },
    ]);
    const args = (index: number) =>
      events.map((e) => (e.type === 'tool-call-delta' && e.index === index ? e.argumentsDelta : '')).join('');
    assert.deepEqual(JSON.parse(args(0)), { pool: 'h100-east', fields: ['queue', 'kv_usage'] });
    assert.deepEqual(JSON.parse(args(1)), { pool: 'l40s-west', fields: ['queue'] });
    assert.equal(events.filter((e) => e.type === 'tool-call-end').length, 2);
    assert.deepEqual(events.at(-1), { type: 'finish', reason: 'tool-calls', raw: 'tool_use' });
  });

  test('thinking and its signature', async () => {
    server.respond(streamFixture('thinking'));
    const events = await collect(await adapter.streamChat(request, upstream, ctx));
    const reasoning = events.filter((e) => e.type === 'reasoning-delta');
    assert.equal(reasoning.map((e) => e.text).join(''), 'Two pools: 8 and 3 waiting. The smaller queue wins.');
    assert.ok(reasoning.at(-1)?.signature?.startsWith('EqMBCkgI'));
  });

  const finalUsage = (events: StreamEvent[]) => events.filter((e) => e.type === 'usage').at(-1);

  test('cache reads from message_start survive a message_delta that omits them (LiteLLM #42663)', async () => {
    server.respond(streamFixture('cache-usage'));
    const events = await collect(await adapter.streamChat(request, upstream, ctx));
    assert.deepEqual(finalUsage(events), {
      type: 'usage',
      usage: { inputTokens: 9 + 12982, cachedInputTokens: 12982, cacheWriteTokens: 0, outputTokens: 6, reasoningTokens: undefined },
    });
  });

  test('cache writes, with message_delta repeating the prompt fields', async () => {
    server.respond(streamFixture('cache-write'));
    const events = await collect(await adapter.streamChat(request, upstream, ctx));
    assert.deepEqual(finalUsage(events), {
      type: 'usage',
      usage: { inputTokens: 4 + 3105, cachedInputTokens: 0, cacheWriteTokens: 3105, outputTokens: 9, reasoningTokens: undefined },
    });
  });

  test('event: error after the start becomes a canonical error event', async () => {
    server.respond(streamFixture('stream-error'));
    const events = await collect(await adapter.streamChat(request, upstream, ctx));
    assert.deepEqual(events.at(-2), { type: 'text-delta', text: 'Partial answer' });
    assert.deepEqual(events.at(-1), { type: 'error', code: 'overloaded_error', message: 'Overloaded', status: 529 });
  });

  test('an overload right after message_start is the first event, so the dispatcher can still retry', async () => {
    server.respond(streamFixture('overloaded-early'));
    const events = await collect(await adapter.streamChat(request, upstream, ctx));
    assert.deepEqual(events, [{ type: 'error', code: 'overloaded_error', message: 'Overloaded', status: 529 }]);
  });

  test('a connection cut before message_stop ends with an error event, not a silent finish', async () => {
    server.respond(streamFixture('text', { dropLast: 3, disconnect: true }));
    const events = await collect(await adapter.streamChat(request, upstream, ctx));
    assert.equal(events.at(-1)?.type, 'error');
    assert.ok(!events.some((e) => e.type === 'finish'));
  });
});

test('endpoint accepts base URLs with or without /v1', () => {
  assert.equal(endpoint('https://api.anthropic.com', '/messages'), 'https://api.anthropic.com/v1/messages');
  assert.equal(endpoint('https://api.anthropic.com/v1/', '/messages'), 'https://api.anthropic.com/v1/messages');
});
