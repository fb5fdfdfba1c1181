import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../../errors/gateway-error.js';
import type { ChatRequest } from '../../spec/request.js';
import { convertRequest } from './convert-request.js';
import { mapFinishReason } from './map-finish-reason.js';
import { STOP_REASONS } from './wire-types.js';

function base(overrides: Partial<ChatRequest> = {}): ChatRequest {
  return { model: 'm', system: [], messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], stream: false, surface: 'openai', ...overrides };
}

test('system, cache points, inference config and provider fields', () => {
  const body = convertRequest(
    base({
      system: [{ type: 'text', text: 'long manual', cacheControl: { type: 'ephemeral' } }, { type: 'text', text: 'tail' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'q', cacheControl: { type: 'ephemeral', ttl: '1h' } }] }],
      maxOutputTokens: 100,
      temperature: 0.2,
      topP: 0.9,
      topK: 40,
      stop: ['END'],
      reasoning: { budgetTokens: 2048 },
    }),
  );
  assert.deepEqual(body.system, [{ text: 'long manual' }, { cachePoint: { type: 'default' } }, { text: 'tail' }]);
  assert.deepEqual(body.messages, [{ role: 'user', content: [{ text: 'q' }, { cachePoint: { type: 'default', ttl: '1h' } }] }]);
  assert.deepEqual(body.inferenceConfig, { maxTokens: 100, temperature: 0.2, topP: 0.9, stopSequences: ['END'] });
  assert.deepEqual(body.additionalModelRequestFields, { top_k: 40, thinking: { type: 'enabled', budget_tokens: 2048 } });
  assert.equal(body.toolConfig, undefined);
  assert.equal(body.requestMetadata, undefined);
});

test('images, tool use, tool results with error status, reasoning; same-role turns merged', () => {
  const body = convertRequest(
    base({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'look' },
            { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'image', source: { kind: 'url', url: 'data:image/jpeg;base64,/9j/4AAQ' } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'think', signature: 'sig' },
            { type: 'reasoning', text: '', redactedData: 'b64' },
            { type: 'tool-use', id: 't1', name: 'departures', input: { station: 'Ede' } },
          ],
        },
        { role: 'user', content: [{ type: 'tool-result', toolUseId: 't1', content: [{ type: 'text', text: 'no such station' }], isError: true }] },
        { role: 'user', content: [{ type: 'text', text: 'try again' }] },
      ],
      tools: [{ name: 'departures', description: 'Next trains', inputSchema: { type: 'object', properties: { station: { type: 'string' } } } }],
      toolChoice: { type: 'required' },
    }),
  );
  assert.deepEqual(body.messages[0]?.content.slice(1), [
    { image: { format: 'png', source: { bytes: 'iVBORw0KGgo=' } } },
    { image: { format: 'jpeg', source: { bytes: '/9j/4AAQ' } } },
  ]);
  assert.deepEqual(body.messages[1]?.content, [
    { reasoningContent: { reasoningText: { text: 'think', signature: 'sig' } } },
    { reasoningContent: { redactedContent: 'b64' } },
    { toolUse: { toolUseId: 't1', name: 'departures', input: { station: 'Ede' } } },
  ]);
  assert.equal(body.messages.length, 3);
  assert.deepEqual(body.messages[2], {
    role: 'user',
    content: [{ toolResult: { toolUseId: 't1', content: [{ text: 'no such station' }], status: 'error' } }, { text: 'try again' }],
  });
  assert.deepEqual(body.toolConfig, {
    tools: [{ toolSpec: { name: 'departures', description: 'Next trains', inputSchema: { json: { type: 'object', properties: { station: { type: 'string' } } } } } }],
    toolChoice: { any: {} },
  });
});

test('blank text blocks and emptied turns are dropped (Converse rejects blank text)', () => {
  const body = convertRequest(
    base({
      system: [{ type: 'text', text: ' ' }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'q' }] },
        { role: 'assistant', content: [{ type: 'text', text: '' }, { type: 'tool-use', id: 't', name: 'a', input: {} }] },
        { role: 'assistant', content: [{ type: 'text', text: '' }] },
      ],
    }),
  );
  assert.equal(body.system, undefined);
  assert.deepEqual(body.messages[1], { role: 'assistant', content: [{ toolUse: { toolUseId: 't', name: 'a', input: {} } }] });
  assert.equal(body.messages.length, 2);
});

test('tool choice: auto, a named tool, and none', () => {
  const tools = [{ name: 'a', inputSchema: { type: 'object' } }];
  assert.deepEqual(convertRequest(base({ tools, toolChoice: { type: 'auto' } })).toolConfig?.toolChoice, { auto: {} });
  assert.deepEqual(convertRequest(base({ tools, toolChoice: { type: 'tool', name: 'a' } })).toolConfig?.toolChoice, { tool: { name: 'a' } });
  assert.equal(convertRequest(base({ tools })).toolConfig?.toolChoice, undefined);
  assert.equal(convertRequest(base({ tools, toolChoice: { type: 'none' } })).toolConfig, undefined);
  // With tool blocks in the history Converse requires toolConfig, so none keeps the tools without a choice.
  const withHistory = base({
    tools,
    toolChoice: { type: 'none' },
    messages: [
      { role: 'assistant', content: [{ type: 'tool-use', id: 'x', name: 'a', input: {} }] },
      { role: 'user', content: [{ type: 'tool-result', toolUseId: 'x', content: [{ type: 'text', text: 'ok' }] }] },
    ],
  });
  assert.deepEqual(convertRequest(withHistory).toolConfig, { tools: [{ toolSpec: { name: 'a', inputSchema: { json: { type: 'object' } } } }] });
});

test('requestMetadata from config, the client metadata map and user', () => {
  const body = convertRequest(base({ user: 'u-42', extra: { metadata: { team: 'rail', n: 3 } } }), { requestMetadata: { tenant: 'acme' } });
  assert.deepEqual(body.requestMetadata, { tenant: 'acme', team: 'rail', user: 'u-42' });
});

test('reasoning effort without a budget maps to a budget', () => {
  assert.deepEqual(convertRequest(base({ reasoning: { effort: 'low' } })).additionalModelRequestFields, { thinking: { type: 'enabled', budget_tokens: 2048 } });
});

test('web image URLs and unknown formats are refused with unsupported_feature', () => {
  const url = base({ messages: [{ role: 'user', content: [{ type: 'image', source: { kind: 'url', url: 'https://example.com/a.png' } }] }] });
  assert.throws(() => convertRequest(url), (e: unknown) => e instanceof GatewayError && e.code === 'unsupported_feature' && e.param === 'messages[0].content[0]');
  const tiff = base({ messages: [{ role: 'user', content: [{ type: 'image', source: { kind: 'base64', mediaType: 'image/tiff', data: 'AA' } }] }] });
  assert.throws(() => convertRequest(tiff), /image\/tiff/);
});

test('stop reason table: all nine Bedrock values, and unknowns', () => {
  const expected = {
    end_turn: 'stop',
    tool_use: 'tool-calls',
    max_tokens: 'length',
    stop_sequence: 'stop',
    guardrail_intervened: 'content-filter',
    content_filtered: 'content-filter',
    model_context_window_exceeded: 'length',
    malformed_model_output: 'error',
    malformed_tool_use: 'error',
  } as const;
  assert.deepEqual(Object.keys(expected).sort(), [...STOP_REASONS].sort());
  for (const [raw, reason] of Object.entries(expected)) assert.equal(mapFinishReason(raw), reason, raw);
  assert.equal(mapFinishReason('something_new'), 'other');
  assert.equal(mapFinishReason(undefined), 'other');
});
