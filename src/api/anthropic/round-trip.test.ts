import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseMessagesRequest } from './parse-request.js';
import { renderMessagesResponse } from './render-response.js';
import { toAnthropicRequest } from '../../providers/anthropic/convert-request.js';
import { fromAnthropicResponse } from '../../providers/anthropic/convert-response.js';

/**
 * Anthropic client → canonical → Anthropic upstream must say the same thing. Shapes that are equivalent in
 * Anthropic's API are normalised first: string content is one text block, a string system prompt is one
 * system text block, and the model is the upstream's name.
 */
type Json = Record<string, unknown>;

function normalise(body: Json, upstreamModel: string): Json {
  const out: Json = { ...body, model: upstreamModel };
  if (typeof out['system'] === 'string') out['system'] = [{ type: 'text', text: out['system'] }];
  out['messages'] = (body['messages'] as Json[]).map((m) =>
    typeof m['content'] === 'string' ? { ...m, content: [{ type: 'text', text: m['content'] }] } : m,
  );
  return out;
}

function roundTrip(body: Json): void {
  const canonical = parseMessagesRequest(body);
  const sent = toAnthropicRequest(canonical, { upstreamModel: 'claude-upstream', stream: canonical.stream });
  assert.deepEqual(sent, normalise(body, 'claude-upstream'));
}

test('a full agent conversation survives the round trip', () => {
  roundTrip({
    model: 'claude-public',
    max_tokens: 8192,
    system: [
      { type: 'text', text: 'You are a coding agent.' },
      { type: 'text', text: 'Repository map…', cache_control: { type: 'ephemeral', ttl: '1h' } },
    ],
    messages: [
      { role: 'user', content: 'Fix the failing test.' },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'Run the tests first.', signature: 'sig-abc' },
          { type: 'redacted_thinking', data: 'ENC' },
          { type: 'text', text: 'Running them.' },
          { type: 'tool_use', id: 'toolu_1', name: 'bash', input: { command: 'npm test' } },
        ],
      },
      {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: 'toolu_1',
            is_error: true,
            content: [
              { type: 'text', text: '1 failing' },
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } },
            ],
            cache_control: { type: 'ephemeral' },
          },
        ],
      },
    ],
    stop_sequences: ['</done>'],
    temperature: 1,
    top_k: 5,
    top_p: 0.95,
    metadata: { user_id: 'dev-7' },
    tools: [
      {
        name: 'bash',
        description: 'Run a shell command',
        input_schema: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] },
        strict: true,
        cache_control: { type: 'ephemeral' },
      },
    ],
    tool_choice: { type: 'any', disable_parallel_tool_use: true },
    thinking: { type: 'enabled', budget_tokens: 4000 },
    stream: true,
  });
});

test('fields the canonical form does not model pass through verbatim', () => {
  roundTrip({
    model: 'claude-public',
    max_tokens: 100,
    system: 'Be brief.',
    messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'Sure:' }],
    thinking: { type: 'adaptive', display: 'summarized' },
    output_config: { effort: 'max' },
    service_tier: 'standard_only',
    context_management: { edits: [{ type: 'clear_tool_uses_20250919' }] },
    tool_choice: { type: 'none' },
    tools: [{ name: 't', input_schema: { type: 'object' } }],
  });
});

test('effort and structured output map back to output_config', () => {
  roundTrip({
    model: 'claude-public',
    max_tokens: 100,
    messages: [{ role: 'user', content: 'json please' }],
    output_config: { effort: 'medium', format: { type: 'json_schema', schema: { type: 'object', properties: {} } } },
  });
});

test('Anthropic responses survive adapter → canonical → surface (recorded fixtures)', () => {
  for (const name of ['text', 'tool-call', 'cache-usage']) {
    const original = JSON.parse(
      readFileSync(new URL(`../../providers/anthropic/__fixtures__/${name}.json`, import.meta.url), 'utf8'),
    ) as Json & { usage: Json };
    const rendered = renderMessagesResponse(fromAnthropicResponse(original), { model: String(original['model']), id: String(original['id']) });
    const { cache_creation: _split, service_tier: _tier, inference_geo: _geo, ...usage } = original.usage;
    assert.deepEqual(rendered, {
      id: original['id'],
      type: 'message',
      role: 'assistant',
      model: original['model'],
      content: original['content'],
      stop_reason: original['stop_reason'],
      stop_sequence: original['stop_sequence'],
      usage: {
        ...usage,
        // The TTL split is kept only when it is trivially known (nothing written).
        cache_creation: usage['cache_creation_input_tokens'] === 0 ? { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 } : null,
      },
    }, name);
  }
});
