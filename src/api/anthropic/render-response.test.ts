import { test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import type { ChatResponse } from '../../spec/response.js';
import { renderMessagesResponse } from './render-response.js';
import { GatewayError } from '../../errors/gateway-error.js';

const usage = { inputTokens: 1200, cachedInputTokens: 1000, cacheWriteTokens: 150, outputTokens: 40, reasoningTokens: 10 };

test('renders an exact Anthropic Message with thinking, text and tool_use', () => {
  const response: ChatResponse = {
    id: 'upstream-1',
    model: 'upstream-model',
    content: [
      { type: 'reasoning', text: 'Need the weather.', signature: 'sig' },
      { type: 'reasoning', text: '', redactedData: 'REDACTED' },
      { type: 'text', text: 'Let me check.' },
      { type: 'tool-use', id: 'toolu_1', name: 'get_weather', input: { city: 'Oslo' } },
    ],
    finishReason: 'tool-calls',
    rawFinishReason: 'tool_calls',
    usage,
  };
  assert.deepEqual(renderMessagesResponse(response, { model: 'claude-public', id: 'msg_test' }), {
    id: 'msg_test',
    type: 'message',
    role: 'assistant',
    model: 'claude-public',
    content: [
      { type: 'thinking', thinking: 'Need the weather.', signature: 'sig' },
      { type: 'redacted_thinking', data: 'REDACTED' },
      { type: 'text', text: 'Let me check.' },
      { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Oslo' } },
    ],
    stop_reason: 'tool_use',
    stop_sequence: null,
    // Anthropic's input_tokens excludes cache reads and writes: 1200 − 1000 − 150.
    usage: {
      input_tokens: 50,
      cache_creation_input_tokens: 150,
      cache_read_input_tokens: 1000,
      cache_creation: null, // 150 written, TTL split unknown
      output_tokens: 40,
    },
  });
});

test('stop reasons', () => {
  const render = (finishReason: ChatResponse['finishReason'], extra: Partial<ChatResponse> = {}) =>
    renderMessagesResponse({ id: 'x', model: 'm', content: [], finishReason, usage, ...extra }, { model: 'm' });
  assert.equal(render('stop').stop_reason, 'end_turn');
  const stopped = render('stop', { stopSequence: 'END' });
  assert.equal(stopped.stop_reason, 'stop_sequence');
  assert.equal(stopped.stop_sequence, 'END');
  assert.equal(render('length').stop_reason, 'max_tokens');
  assert.equal(render('length', { rawFinishReason: 'model_context_window_exceeded' }).stop_reason, 'model_context_window_exceeded');
  assert.equal(render('content-filter').stop_reason, 'refusal');
  assert.equal(render('pause').stop_reason, 'pause_turn');
  assert.equal(render('other').stop_reason, 'end_turn');
  // A raw value that disagrees with the canonical reason does not win.
  assert.equal(render('length', { rawFinishReason: 'end_turn' }).stop_reason, 'max_tokens');
});

test('unknown usage stays null, never 0; a minted id looks like Anthropic’s', () => {
  const rendered = renderMessagesResponse(
    {
      id: 'x',
      model: 'm',
      content: [{ type: 'text', text: 'hi' }],
      finishReason: 'stop',
      usage: { inputTokens: 7, cachedInputTokens: undefined, cacheWriteTokens: undefined, outputTokens: undefined, reasoningTokens: undefined },
    },
    { model: 'm' },
  );
  assert.deepEqual(rendered['usage'], {
    input_tokens: 7,
    cache_creation_input_tokens: null,
    cache_read_input_tokens: null,
    cache_creation: null,
    output_tokens: null,
  });
  assert.match(String(rendered['id']), /^msg_[0-9A-Za-z]{24}$/);
});

test('the real SDK reads the rendered message', async () => {
  const body = renderMessagesResponse(
    { id: 'x', model: 'm', content: [{ type: 'text', text: 'Hello!' }], finishReason: 'stop', usage },
    { model: 'claude-public', id: 'msg_sdk' },
  );
  const client = new Anthropic({
    apiKey: 'test-key',
    baseURL: 'http://gateway.test',
    maxRetries: 0,
    fetch: async () => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } }),
  });
  const message = await client.messages.create({ model: 'claude-public', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] });
  assert.equal(message.id, 'msg_sdk');
  assert.deepEqual(message.content, [{ type: 'text', text: 'Hello!' }]);
  assert.equal(message.stop_reason, 'end_turn');
  assert.equal(message.usage.cache_read_input_tokens, 1000);
});

test('malformed tool arguments from a backend are an upstream error, not a reply the SDK cannot read', () => {
  assert.throws(
    () =>
      renderMessagesResponse(
        { id: 'x', model: 'm', content: [{ type: 'tool-use', id: 'c', name: 'f', input: '{"a": ' }], finishReason: 'tool-calls', usage },
        { model: 'm' },
      ),
    (error: unknown) => GatewayError.isInstance(error) && error.code === 'upstream_error' && error.status === 502,
  );
});
