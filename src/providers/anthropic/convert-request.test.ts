import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChatRequest } from '../../spec/request.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { toAnthropicRequest } from './convert-request.js';

const base: ChatRequest = {
  model: 'public',
  system: [],
  messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
  stream: false,
  surface: 'openai',
};
const convert = (request: Partial<ChatRequest>, stream = false) =>
  toAnthropicRequest({ ...base, ...request }, { upstreamModel: 'claude-up', stream });

test('an OpenAI-shaped request becomes a valid Anthropic body', () => {
  const body = convert(
    {
      system: [{ type: 'text', text: 'sys' }],
      messages: [
        { role: 'user', content: [{ type: 'image', source: { kind: 'url', url: 'data:image/png;base64,AAAA' } }, { type: 'text', text: 'what?' }] },
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'vLLM reasoning, unsigned' },
            { type: 'text', text: '' },
            { type: 'tool-use', id: 'call_1', name: 'f', input: { a: 1 } },
          ],
        },
        { role: 'user', content: [{ type: 'tool-result', toolUseId: 'call_1', content: [{ type: 'text', text: 'ok' }] }] },
        { role: 'assistant', content: [{ type: 'text', text: '' }] },
      ],
      temperature: 1.7,
      seed: 7,
      frequencyPenalty: 0,
      tools: [{ name: 'f', inputSchema: { properties: { a: { type: 'number' } } } }],
      parallelToolCalls: false,
      user: 'u1',
      stop: ['END'],
      extra: { logprobs: true },
    },
    true,
  );
  assert.deepEqual(body, {
    model: 'claude-up',
    max_tokens: 4096,
    system: [{ type: 'text', text: 'sys' }],
    messages: [
      {
        role: 'user',
        content: [
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } },
          { type: 'text', text: 'what?' },
        ],
      },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'call_1', name: 'f', input: { a: 1 } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: [{ type: 'text', text: 'ok' }] }] },
    ],
    stop_sequences: ['END'],
    temperature: 1,
    metadata: { user_id: 'u1' },
    tools: [{ name: 'f', input_schema: { type: 'object', properties: { a: { type: 'number' } } } }],
    tool_choice: { type: 'auto', disable_parallel_tool_use: true },
    stream: true,
  });
});

test('tool_choice mapping', () => {
  const tools = [{ name: 'f', inputSchema: { type: 'object' } }];
  assert.deepEqual(convert({ tools, toolChoice: { type: 'required' } })['tool_choice'], { type: 'any' });
  assert.deepEqual(convert({ tools, toolChoice: { type: 'tool', name: 'f' } })['tool_choice'], { type: 'tool', name: 'f' });
  assert.deepEqual(convert({ tools, toolChoice: { type: 'none' }, parallelToolCalls: false })['tool_choice'], { type: 'none' });
  assert.equal(convert({ tools })['tool_choice'], undefined);
});

test('reasoning effort: a thinking budget for OpenAI clients, output_config.effort for Anthropic ones', () => {
  assert.deepEqual(convert({ reasoning: { effort: 'medium' }, maxOutputTokens: 10000 })['thinking'], { type: 'enabled', budget_tokens: 4096 });
  assert.deepEqual(convert({ reasoning: { effort: 'high' }, maxOutputTokens: 5000 })['thinking'], { type: 'enabled', budget_tokens: 4999 });
  assert.equal(convert({ reasoning: { effort: 'high' }, maxOutputTokens: 500 })['thinking'], undefined);
  const anthropic = convert({ reasoning: { effort: 'low' }, surface: 'anthropic' });
  assert.equal(anthropic['thinking'], undefined);
  assert.deepEqual(anthropic['output_config'], { effort: 'low' });
});

test('structured outputs: json_schema maps, JSON mode and penalties are refused', () => {
  assert.deepEqual(convert({ responseFormat: { type: 'json-schema', name: 'x', schema: { type: 'object' } } })['output_config'], {
    format: { type: 'json_schema', schema: { type: 'object' } },
  });
  assert.throws(() => convert({ responseFormat: { type: 'json' } }), (e: unknown) => GatewayError.isInstance(e) && e.code === 'unsupported_feature');
  assert.throws(() => convert({ presencePenalty: 0.5 }), (e: unknown) => GatewayError.isInstance(e) && e.param === 'presence_penalty');
});

test('extra is forwarded only for Anthropic clients, and wins', () => {
  const extra = { service_tier: 'auto', thinking: { type: 'adaptive' } };
  const fromAnthropic = convert({ surface: 'anthropic', extra, reasoning: {} });
  assert.equal(fromAnthropic['service_tier'], 'auto');
  assert.deepEqual(fromAnthropic['thinking'], { type: 'adaptive' });
  assert.equal(convert({ extra })['service_tier'], undefined);
});

test('tool input that is not an object is a client error', () => {
  assert.throws(
    () => convert({ messages: [{ role: 'assistant', content: [{ type: 'tool-use', id: 'a', name: 'f', input: 'oops' }] }] }),
    /arguments must be a JSON object/,
  );
});
