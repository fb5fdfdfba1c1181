import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MessageCreateParams } from '@anthropic-ai/sdk/resources/messages';
import { GatewayError } from '../../errors/gateway-error.js';
import { parseMessagesRequest } from './parse-request.js';
import { parseCountTokensRequest, renderCountTokens } from './count-tokens.js';

/** Bodies typed with the SDK's own params type, so they are shaped exactly as a real client sends them. */
function sdkBody(params: MessageCreateParams): unknown {
  return JSON.parse(JSON.stringify(params));
}

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

describe('parseMessagesRequest: what clients send', () => {
  test('a minimal request', () => {
    const request = parseMessagesRequest(
      sdkBody({ model: 'claude-x', max_tokens: 64, messages: [{ role: 'user', content: 'Hello' }] }),
    );
    assert.deepEqual(request, {
      model: 'claude-x',
      system: [],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }],
      maxOutputTokens: 64,
      stream: false,
      surface: 'anthropic',
    });
  });

  test('a full agent turn: system with cache_control, tools, images, tool results, thinking', () => {
    const body = sdkBody({
      model: 'claude-x',
      max_tokens: 4096,
      stream: true,
      system: [
        { type: 'text', text: 'You are a terse assistant.' },
        { type: 'text', text: 'Project context…', cache_control: { type: 'ephemeral', ttl: '1h' } },
      ],
      metadata: { user_id: 'user-42' },
      stop_sequences: ['\n\nHuman:'],
      thinking: { type: 'enabled', budget_tokens: 2048 },
      tools: [
        {
          name: 'get_weather',
          description: 'Weather for a city',
          input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
          cache_control: { type: 'ephemeral' },
        },
        { name: 'noop', input_schema: { type: 'object' }, strict: true },
      ],
      tool_choice: { type: 'auto', disable_parallel_tool_use: true },
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
            { type: 'text', text: 'Weather where this was taken?', cache_control: { type: 'ephemeral' } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'Looks like Paris.', signature: 'sig-1' },
            { type: 'redacted_thinking', data: 'ENCRYPTED' },
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_01', content: '18°C, clear' },
            {
              type: 'tool_result',
              tool_use_id: 'toolu_02',
              is_error: true,
              content: [{ type: 'text', text: 'timeout' }],
            },
          ],
        },
      ],
    });
    const request = parseMessagesRequest(body);
    assert.equal(request.stream, true);
    assert.equal(request.user, 'user-42');
    assert.deepEqual(request.stop, ['\n\nHuman:']);
    assert.deepEqual(request.reasoning, { budgetTokens: 2048 });
    assert.deepEqual(request.system, [
      { type: 'text', text: 'You are a terse assistant.' },
      { type: 'text', text: 'Project context…', cacheControl: { type: 'ephemeral', ttl: '1h' } },
    ]);
    assert.deepEqual(request.tools, [
      {
        name: 'get_weather',
        description: 'Weather for a city',
        inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        cacheControl: { type: 'ephemeral' },
      },
      { name: 'noop', inputSchema: { type: 'object' }, strict: true },
    ]);
    assert.deepEqual(request.toolChoice, { type: 'auto' });
    assert.equal(request.parallelToolCalls, false);
    assert.deepEqual(request.messages[0]?.content, [
      { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: PNG } },
      { type: 'image', source: { kind: 'url', url: 'https://example.com/cat.jpg' } },
      { type: 'text', text: 'Weather where this was taken?', cacheControl: { type: 'ephemeral' } },
    ]);
    assert.deepEqual(request.messages[1]?.content, [
      { type: 'reasoning', text: 'Looks like Paris.', signature: 'sig-1' },
      { type: 'reasoning', text: '', redactedData: 'ENCRYPTED' },
      { type: 'text', text: 'Checking.' },
      { type: 'tool-use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } },
    ]);
    assert.deepEqual(request.messages[2]?.content, [
      { type: 'tool-result', toolUseId: 'toolu_01', content: [{ type: 'text', text: '18°C, clear' }] },
      { type: 'tool-result', toolUseId: 'toolu_02', content: [{ type: 'text', text: 'timeout' }], isError: true },
    ]);
    assert.equal(request.extra, undefined);
  });

  test('sampling parameters, tool_choice any/tool/none', () => {
    const tools = [{ name: 't', input_schema: { type: 'object' } }];
    const base = { model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }], tools };
    const sampled = parseMessagesRequest({ ...base, temperature: 0.2, top_p: 0.9, top_k: 40 });
    assert.equal(sampled.temperature, 0.2);
    assert.equal(sampled.topP, 0.9);
    assert.equal(sampled.topK, 40);
    assert.deepEqual(parseMessagesRequest({ ...base, tool_choice: { type: 'any' } }).toolChoice, { type: 'required' });
    assert.deepEqual(parseMessagesRequest({ ...base, tool_choice: { type: 'none' } }).toolChoice, { type: 'none' });
    const forced = parseMessagesRequest({ ...base, tool_choice: { type: 'tool', name: 't', disable_parallel_tool_use: false } });
    assert.deepEqual(forced.toolChoice, { type: 'tool', name: 't' });
    assert.equal(forced.parallelToolCalls, true);
  });

  test('unknown top-level fields travel in extra; lossy mappings keep the original there too', () => {
    const request = parseMessagesRequest({
      model: 'm',
      max_tokens: 5,
      messages: [{ role: 'user', content: 'x' }],
      service_tier: 'auto',
      container: 'c_1',
      thinking: { type: 'adaptive' },
      output_config: { effort: 'max', format: { type: 'json_schema', schema: { type: 'object' } } },
    });
    assert.deepEqual(request.extra, {
      service_tier: 'auto',
      container: 'c_1',
      thinking: { type: 'adaptive' },
      output_config: { effort: 'max', format: { type: 'json_schema', schema: { type: 'object' } } },
    });
    assert.deepEqual(request.reasoning, { effort: 'high' });
    assert.deepEqual(request.responseFormat, { type: 'json-schema', name: 'output', schema: { type: 'object' } });
  });

  test('a "__proto__" field is not carried (it would set a prototype, not a field)', () => {
    const request = parseMessagesRequest(JSON.parse('{"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"}],"__proto__":{"polluted":true}}'));
    assert.equal(request.extra, undefined);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  test('plain-text documents become text; an empty final assistant turn (prefill) is allowed', () => {
    const request = parseMessagesRequest({
      model: 'm',
      max_tokens: 5,
      messages: [
        {
          role: 'user',
          content: [{ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'The doc.' } }],
        },
        { role: 'assistant', content: '' },
      ],
    });
    assert.deepEqual(request.messages, [
      { role: 'user', content: [{ type: 'text', text: 'The doc.' }] },
      { role: 'assistant', content: [] },
    ]);
  });
});

describe('parseMessagesRequest: malformed bodies → 400 naming the field', () => {
  const ok = { model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] };
  const cases: Array<[string, unknown, string, RegExp, string?]> = [
    ['not an object', [1, 2], '', /expected an object/],
    ['empty object', {}, '', /model, max_tokens and messages/],
    ['missing model', { ...ok, model: undefined }, 'model', /^model: field required$/],
    ['model a number', { ...ok, model: 4 }, 'model', /^model: expected a string, got number$/],
    ['empty model', { ...ok, model: '' }, 'model', /must not be empty/],
    ['missing max_tokens', { ...ok, max_tokens: undefined }, 'max_tokens', /^max_tokens: field required$/],
    ['max_tokens a string', { ...ok, max_tokens: '5' }, 'max_tokens', /expected a number, got string/],
    ['fractional max_tokens', { ...ok, max_tokens: 1.5 }, 'max_tokens', /integer/],
    ['zero max_tokens', { ...ok, max_tokens: 0 }, 'max_tokens', /at least 1/],
    ['messages not an array', { ...ok, messages: 'hi' }, 'messages', /expected an array/],
    ['no messages', { ...ok, messages: [] }, 'messages', /at least one message/],
    ['bad role', { ...ok, messages: [{ role: 'system', content: 'x' }] }, 'messages.0.role', /"user", "assistant"/],
    ['content a number', { ...ok, messages: [{ role: 'user', content: 5 }] }, 'messages.0.content', /expected an array/],
    ['empty user content', { ...ok, messages: [{ role: 'user', content: [] }] }, 'messages.0.content', /non-empty/],
    [
      'unknown block type',
      { ...ok, messages: [{ role: 'user', content: 'a' }, { role: 'user', content: [{ type: 'foo' }] }] },
      'messages.1.content.0.type',
      /^messages\.1\.content\.0\.type: unknown block type "foo"$/,
    ],
    [
      'text block without text',
      { ...ok, messages: [{ role: 'user', content: [{ type: 'text' }] }] },
      'messages.0.content.0.text',
      /field required/,
    ],
    [
      'image with bad media type',
      {
        ...ok,
        messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/bmp', data: 'x' } }] }],
      },
      'messages.0.content.0.source.media_type',
      /image\/jpeg/,
    ],
    [
      'tool_result in an assistant turn',
      { ...ok, messages: [{ role: 'assistant', content: [{ type: 'tool_result', tool_use_id: 'a' }] }] },
      'messages.0.content.0.type',
      /only appear in user messages/,
    ],
    [
      'tool_use without input',
      { ...ok, messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 'a', name: 'b' }] }] },
      'messages.0.content.0.input',
      /field required/,
    ],
    [
      'tool_result with is_error a string',
      { ...ok, messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'a', is_error: 'yes' }] }] },
      'messages.0.content.0.is_error',
      /expected a boolean/,
    ],
    [
      'cache_control of an unknown type',
      { ...ok, messages: [{ role: 'user', content: [{ type: 'text', text: 'x', cache_control: { type: 'forever' } }] }] },
      'messages.0.content.0.cache_control.type',
      /"ephemeral"/,
    ],
    ['system a number', { ...ok, system: 3 }, 'system', /expected an array/],
    ['system image block', { ...ok, system: [{ type: 'image' }] }, 'system.0.type', /must be of type "text"/],
    ['temperature above 1', { ...ok, temperature: 1.5 }, 'temperature', /at most 1/],
    ['top_k negative', { ...ok, top_k: -1 }, 'top_k', /at least 0/],
    ['stop_sequences with a number', { ...ok, stop_sequences: ['a', 2] }, 'stop_sequences.1', /expected a string/],
    ['stream a string', { ...ok, stream: 'yes' }, 'stream', /expected a boolean/],
    ['metadata.user_id a number', { ...ok, metadata: { user_id: 7 } }, 'metadata.user_id', /expected a string/],
    ['tool without input_schema', { ...ok, tools: [{ name: 't' }] }, 'tools.0.input_schema', /field required/],
    [
      'duplicate tool names',
      { ...ok, tools: [{ name: 't', input_schema: {} }, { name: 't', input_schema: {} }] },
      'tools.1.name',
      /unique/,
    ],
    ['tool_choice unknown type', { ...ok, tool_choice: { type: 'some' } }, 'tool_choice.type', /"auto", "any", "tool", "none"/],
    ['tool_choice names a missing tool', { ...ok, tool_choice: { type: 'tool', name: 'zz' } }, 'tool_choice.name', /not among/],
    ['thinking budget below 1024', { ...ok, thinking: { type: 'enabled', budget_tokens: 100 } }, 'thinking.budget_tokens', /at least 1024/],
    ['thinking of unknown type', { ...ok, thinking: { type: 'always' } }, 'thinking.type', /"enabled"/],
    ['server tool', { ...ok, tools: [{ type: 'web_search_20250305', name: 'web_search' }] }, 'tools.0.type', /server tool/, 'unsupported_feature'],
    [
      'PDF document',
      { ...ok, messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'x' } }] }] },
      'messages.0.content.0.source.type',
      /not supported/,
      'unsupported_feature',
    ],
  ];
  for (const [name, body, param, message, code = 'invalid_request'] of cases) {
    test(name, () => {
      assert.throws(
        () => parseMessagesRequest(body),
        (error: unknown) => {
          assert.ok(GatewayError.isInstance(error), `a GatewayError, got ${String(error)}`);
          assert.equal(error.code, code);
          assert.equal(error.status, 400);
          assert.equal(error.param, param);
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }
});

describe('count_tokens', () => {
  test('parses a body without max_tokens and renders { input_tokens }', () => {
    const request = parseCountTokensRequest({
      model: 'm',
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Hi' }],
      tools: [{ name: 't', input_schema: { type: 'object' } }],
    });
    assert.equal(request.maxOutputTokens, undefined);
    assert.equal(request.stream, false);
    assert.deepEqual(request.system, [{ type: 'text', text: 'Be brief.' }]);
    assert.equal(request.tools?.length, 1);
    assert.deepEqual(renderCountTokens(17), { input_tokens: 17 });
  });

  test('still validates messages', () => {
    assert.throws(() => parseCountTokensRequest({ model: 'm', messages: [] }), /messages: at least one message/);
  });
});
