import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CapturedRequest } from '../../../test/support/fixture-server.js';
import { chatRequest, collect, fixtureUpstream } from '../adapter-test-support.js';
import { UpstreamError } from '../../errors/upstream-error.js';
import type { CallContext, UpstreamTarget } from '../../spec/adapter.js';
import type { ChatRequest } from '../../spec/request.js';
import type { StreamEvent } from '../../spec/stream.js';
import { createGeminiAdapter } from './adapter.js';
import { parseToolId } from './tool-ids.js';
import { jsonFixture, sseFixture } from './__fixtures__/build.js';

const KEY = 'AIzaSyTEST-key-never-in-url';
const upstream = fixtureUpstream();
const adapter = createGeminiAdapter({ now: () => Date.parse('2026-11-22T10:30:00Z') });

function target(model = 'gemini-2.5-flash'): UpstreamTarget {
  return { baseUrl: upstream.url, upstreamModel: model, apiKey: KEY };
}

const request = (overrides: Partial<ChatRequest> = {}): ChatRequest => chatRequest('What is a hump yard?', 200, overrides);
const context = (): CallContext => upstream.context('req-local-2');
const lastRequest = (): CapturedRequest => upstream.lastRequest();

describe('Gemini generateContent', () => {
  test('plain text: key in a header only, system instruction and generation config sent', async () => {
    upstream.respond(jsonFixture('generate-text.json'));
    const response = await adapter.chat(request({ temperature: 0.3, seed: 7 }), target(), context());
    const captured = lastRequest();
    assert.equal(captured.url, '/v1beta/models/gemini-2.5-flash:generateContent');
    assert.equal(captured.headers['x-goog-api-key'], KEY);
    assert.equal(captured.url.includes(KEY), false);
    const body = JSON.parse(captured.body) as Record<string, unknown>;
    assert.deepEqual(body['systemInstruction'], { parts: [{ text: 'You are a dispatcher.' }] });
    assert.deepEqual(body['contents'], [{ role: 'user', parts: [{ text: 'What is a hump yard?' }] }]);
    assert.deepEqual(body['generationConfig'], { maxOutputTokens: 200, temperature: 0.3, seed: 7 });
    assert.deepEqual(response.content, [{ type: 'text', text: 'A hump yard sorts freight cars by rolling them downhill onto classification tracks.' }]);
    assert.equal(response.finishReason, 'stop');
    assert.equal(response.rawFinishReason, 'STOP');
    assert.equal(response.id, 'kPZfae2xBuOWz7IPh7S7kAs');
    assert.equal(response.model, 'gemini-2.5-flash');
    assert.deepEqual(response.usage, { inputTokens: 12, cachedInputTokens: undefined, cacheWriteTokens: undefined, outputTokens: 17, reasoningTokens: undefined });
  });

  test('safetySettings from the backend options are sent verbatim', async () => {
    upstream.respond(jsonFixture('generate-text.json'));
    const safetySettings = [{ category: 'HARM_CATEGORY_DANGEROUS_CONTENT', threshold: 'BLOCK_ONLY_HIGH' }];
    await adapter.chat(request(), { ...target(), options: { safetySettings } }, context());
    assert.deepEqual((JSON.parse(lastRequest().body) as Record<string, unknown>)['safetySettings'], safetySettings);
  });

  test('tool calls: minted ids carry the thought signature, STOP becomes tool-calls, output counts thoughts', async () => {
    upstream.respond(jsonFixture('generate-tool-call.json'));
    const response = await adapter.chat(request(), target('gemini-3-pro-preview'), context());
    assert.equal(response.finishReason, 'tool-calls');
    assert.equal(response.rawFinishReason, 'STOP');
    const calls = response.content.filter((b) => b.type === 'tool-use');
    assert.equal(calls.length, 2);
    assert.deepEqual(calls.map((c) => (c.type === 'tool-use' ? [c.name, c.input] : [])), [
      ['departures', { station: 'Utrecht Centraal', limit: 3 }],
      ['departures', { station: 'Amersfoort', limit: 2 }],
    ]);
    const first = calls[0]?.type === 'tool-use' ? calls[0].id : '';
    assert.match(first, /^call_[0-9a-f]{24}__ts_[A-Za-z0-9_-]+$/);
    assert.equal(parseToolId(first).signature, 'CiQBjz1rX7m0c2hpZnQtdHJhaW4tc2lnbmF0dXJlLWEtMDAxEqQBCkgIBhABGAI=');
    assert.match(calls[1]?.type === 'tool-use' ? calls[1].id : '', /^call_[0-9a-f]{24}$/);
    assert.deepEqual(response.usage, { inputTokens: 61, cachedInputTokens: undefined, cacheWriteTokens: undefined, outputTokens: 90, reasoningTokens: 52 });
  });

  test('the next turn sends function calls back with their signatures and results by name', async () => {
    upstream.respond(jsonFixture('generate-tool-call.json'));
    const first = await adapter.chat(request(), target('gemini-3-pro-preview'), context());
    upstream.respond(jsonFixture('generate-text.json'));
    const calls = first.content.filter((b) => b.type === 'tool-use');
    await adapter.chat(
      request({
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Departures?' }] },
          { role: 'assistant', content: calls },
          {
            role: 'user',
            content: calls.map((call, i) => ({
              type: 'tool-result' as const,
              toolUseId: call.type === 'tool-use' ? call.id : '',
              content: [{ type: 'text' as const, text: i === 0 ? '08:14 IC 3500' : 'station closed' }],
              ...(i === 1 ? { isError: true } : {}),
            })),
          },
        ],
      }),
      target('gemini-3-pro-preview'),
      context(),
    );
    const body = JSON.parse(lastRequest().body) as { contents: Array<{ role: string; parts: Array<Record<string, unknown>> }> };
    assert.deepEqual(body.contents[1], {
      role: 'model',
      parts: [
        { functionCall: { name: 'departures', args: { station: 'Utrecht Centraal', limit: 3 } }, thoughtSignature: 'CiQBjz1rX7m0c2hpZnQtdHJhaW4tc2lnbmF0dXJlLWEtMDAxEqQBCkgIBhABGAI=' },
        { functionCall: { name: 'departures', args: { station: 'Amersfoort', limit: 2 } } },
      ],
    });
    assert.deepEqual(body.contents[2], {
      role: 'user',
      parts: [
        { functionResponse: { name: 'departures', response: { output: '08:14 IC 3500' } } },
        { functionResponse: { name: 'departures', response: { error: 'station closed' } } },
      ],
    });
  });

  test('cached usage: promptTokenCount already includes the cache; thoughts become reasoning', async () => {
    upstream.respond(jsonFixture('generate-cached-usage.json'));
    const response = await adapter.chat(request(), target('gemini-2.5-pro'), context());
    assert.deepEqual(response.usage, { inputTokens: 4210, cachedInputTokens: 4082, cacheWriteTokens: undefined, outputTokens: 185, reasoningTokens: 174 });
    assert.deepEqual(response.content, [
      { type: 'reasoning', text: '**Finding the section**\n\nThe cached manual lists signal rules in section 4.' },
      { type: 'text', text: 'Section 4 of the manual covers shunting signals.' },
    ]);
  });

  const errorCases = [
    { file: 'error-400-invalid-argument.json', status: 400, name: 'INVALID_ARGUMENT', retryable: false },
    { file: 'error-403-permission-denied.json', status: 403, name: 'PERMISSION_DENIED', retryable: false },
    { file: 'error-404-not-found.json', status: 404, name: 'NOT_FOUND', retryable: false },
    { file: 'error-429-resource-exhausted.json', status: 429, name: 'RESOURCE_EXHAUSTED', retryable: true, retryAfterMs: 34_400 },
    { file: 'error-500-internal.json', status: 500, name: 'INTERNAL', retryable: true },
    { file: 'error-503-unavailable.json', status: 503, name: 'UNAVAILABLE', retryable: true, retryAfterMs: 12_000 },
  ];
  for (const c of errorCases) {
    test(`HTTP ${c.status} ${c.name} → UpstreamError`, async () => {
      upstream.respond(jsonFixture(c.file));
      for (const call of [() => adapter.chat(request(), target(), context()), () => adapter.streamChat(request({ stream: true }), target(), context())]) {
        await assert.rejects(call(), (error: unknown) => {
          assert.ok(error instanceof UpstreamError);
          assert.equal(error.upstreamStatus, c.status);
          assert.equal(error.retryable, c.retryable);
          assert.equal(error.retryAfterMs, c.retryAfterMs);
          assert.match(error.message, new RegExp(`^Gemini ${c.name} \\(HTTP ${c.status}\\): .+`));
          assert.equal(error.message.includes(KEY), false);
          return true;
        });
      }
    });
  }
});

describe('Gemini streamGenerateContent (SSE)', () => {
  test('text stream with CRLF events split across writes', async () => {
    upstream.respond(sseFixture('stream-text.sse'));
    const events = await collect(await adapter.streamChat(request({ stream: true }), target(), context()));
    assert.equal(lastRequest().url, '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    assert.equal(lastRequest().headers['x-goog-api-key'], KEY);
    assert.deepEqual(events[0], { type: 'response-start', id: 'zPZfaaCkF8f3nsEPrri7sAk', model: 'gemini-2.5-flash' });
    const text = events.flatMap((e) => (e.type === 'text-delta' ? [e.text] : [])).join('');
    assert.equal(text, 'A hump yard sorts freight cars by rolling them downhill onto classification tracks — über die Ablaufberg.');
    assert.deepEqual(events.slice(-2), [
      { type: 'finish', reason: 'stop', raw: 'STOP' },
      { type: 'usage', usage: { inputTokens: 12, cachedInputTokens: undefined, cacheWriteTokens: undefined, outputTokens: 21, reasoningTokens: undefined } },
    ]);
  });

  test('streamed function calls: start, one delta with valid JSON arguments, end; finish tool-calls', async () => {
    upstream.respond(sseFixture('stream-tool-call.sse'));
    const events = await collect(await adapter.streamChat(request({ stream: true }), target('gemini-3-pro-preview'), context()));
    const types = events.map((e) => e.type);
    assert.deepEqual(types, [
      'response-start',
      'tool-call-start',
      'tool-call-delta',
      'tool-call-end',
      'tool-call-start',
      'tool-call-delta',
      'tool-call-end',
      'finish',
      'usage',
    ]);
    const deltas = events.flatMap((e) => (e.type === 'tool-call-delta' ? [[e.index, JSON.parse(e.argumentsDelta) as unknown]] : []));
    assert.deepEqual(deltas, [
      [0, { station: 'Utrecht Centraal', limit: 3, filters: { type: ['intercity'], platform: null } }],
      [1, { station: 'Amersfoort', limit: 2 }],
    ]);
    const start = events[1];
    assert.ok(start?.type === 'tool-call-start' && parseToolId(start.id).signature !== undefined);
    assert.deepEqual(events[7], { type: 'finish', reason: 'tool-calls', raw: 'STOP' });
  });

  test('streamed usage with cached tokens and thoughts, from the last chunk', async () => {
    upstream.respond(sseFixture('stream-cached-usage.sse'));
    const events = await collect(await adapter.streamChat(request({ stream: true }), target('gemini-2.5-pro'), context()));
    assert.deepEqual(events.filter((e) => e.type === 'usage'), [
      { type: 'usage', usage: { inputTokens: 4210, cachedInputTokens: 4082, cacheWriteTokens: undefined, outputTokens: 185, reasoningTokens: 174 } },
    ]);
    assert.deepEqual(events.filter((e) => e.type === 'reasoning-delta'), [
      { type: 'reasoning-delta', text: '**Finding the section**\n\nThe cached manual lists signal rules in section 4.' },
    ]);
    assert.equal(events.flatMap((e) => (e.type === 'text-delta' ? [e.text] : [])).join(''), 'Section 4 of the manual covers shunting signals.');
  });

  test('an error as the first SSE message rejects with a retryable UpstreamError', async () => {
    upstream.respond(sseFixture('stream-first-error.sse'));
    await assert.rejects(adapter.streamChat(request({ stream: true }), target(), context()), (error: unknown) => {
      assert.ok(error instanceof UpstreamError);
      assert.equal(error.upstreamStatus, 503);
      assert.equal(error.retryable, true);
      assert.match(error.message, /UNAVAILABLE.*overloaded/);
      return true;
    });
  });

  test('an error after the stream began becomes an error event', async () => {
    upstream.respond(sseFixture('stream-mid-error.sse'));
    const events = await collect(await adapter.streamChat(request({ stream: true }), target(), context()));
    assert.deepEqual(events.map((e) => e.type), ['response-start', 'text-delta', 'error']);
    assert.equal(events[2]?.type === 'error' ? events[2].status : undefined, 500);
  });

  test('a stream cut before any finish reason ends with usage so far and an error', async () => {
    const full = sseFixture('stream-text.sse');
    const text = Buffer.concat((full.chunks ?? []).map((c) => Buffer.from(c))).toString('utf8');
    const cut = text.split('\r\n\r\n').slice(0, 2).join('\r\n\r\n') + '\r\n\r\n';
    upstream.respond({ status: 200, headers: { 'content-type': 'text/event-stream' }, chunks: [cut] });
    const events = await collect(await adapter.streamChat(request({ stream: true }), target(), context()));
    assert.deepEqual(events.slice(-2).map((e) => e.type), ['usage', 'error']);
    assert.equal(events.some((e) => e.type === 'finish'), false);
  });
});

describe('Gemini countTokens', () => {
  test('counts the whole request through generateContentRequest', async () => {
    upstream.respond(jsonFixture('count-tokens.json'));
    const count = adapter.countTokens;
    assert.ok(count);
    const tools = [{ name: 'departures', inputSchema: { type: 'object', properties: { station: { type: 'string' } } } }];
    assert.equal(await count(request({ tools }), target(), context()), 31);
    assert.equal(lastRequest().url, '/v1beta/models/gemini-2.5-flash:countTokens');
    const body = JSON.parse(lastRequest().body) as { generateContentRequest: Record<string, unknown> };
    assert.equal(body.generateContentRequest['model'], 'models/gemini-2.5-flash');
    assert.deepEqual(body.generateContentRequest['systemInstruction'], { parts: [{ text: 'You are a dispatcher.' }] });
    assert.ok(Array.isArray(body.generateContentRequest['tools']));
  });
});

describe('Gemini batchEmbedContents', () => {
  test('one request per input; vectors back in order, base64 on request', async () => {
    upstream.respond(jsonFixture('embed-batch.json'));
    const embed = adapter.embed;
    assert.ok(embed);
    const response = await embed({ model: 'e', input: ['points', 'frog'], dimensions: 4 }, target('gemini-embedding-001'), context());
    assert.equal(lastRequest().url, '/v1beta/models/gemini-embedding-001:batchEmbedContents');
    assert.deepEqual(JSON.parse(lastRequest().body), {
      requests: [
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'points' }] }, outputDimensionality: 4 },
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'frog' }] }, outputDimensionality: 4 },
      ],
    });
    assert.deepEqual(response.embeddings, [
      [0.0132, -0.0087, 0.0251, 0.0004],
      [-0.0219, 0.0173, 0.0006, -0.0311],
    ]);
    assert.equal(response.usage.inputTokens, undefined);
    upstream.respond(jsonFixture('embed-batch.json'));
    const b64 = await embed({ model: 'e', input: ['points', 'frog'], encodingFormat: 'base64' }, target('gemini-embedding-001'), context());
    const bytes = Buffer.from(String(b64.embeddings[0]), 'base64');
    assert.equal(bytes.length, 16);
    assert.ok(Math.abs(bytes.readFloatLE(0) - 0.0132) < 1e-6);
  });
});
