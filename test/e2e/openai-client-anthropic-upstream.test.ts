import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { sseChunks, startFixtureServer, type FixtureServer } from '../support/fixture-server.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

/**
 * The other direction: the real openai SDK against the gateway, for a model served by the Anthropic adapter
 * (replaying Anthropic's wire format). Anthropic's uncached `input_tokens` plus its cache fields must come
 * out as OpenAI's all-inclusive `prompt_tokens` with `cached_tokens` beside it (LiteLLM #11789 billed the
 * cache reads as fresh input), and tool calls streamed as Anthropic input_json_delta must arrive as OpenAI
 * tool_calls with their arguments intact.
 */
const FIXTURES = new URL('../../src/providers/anthropic/__fixtures__/', import.meta.url);
let upstream: FixtureServer;
let gateway: TestGateway;
let client: OpenAI;

before(async () => {
  upstream = await startFixtureServer();
  gateway = await startTestGateway({
    backends: [{ name: 'anthropic', provider: 'anthropic', model: 'claude-sonnet-4-5-20250929', apiKey: 'sk-ant-upstream', replicas: [upstream.url] }],
    models: [{ name: 'claude', backends: ['anthropic'] }],
  });
  client = new OpenAI({ apiKey: 'sk-gateway', baseURL: `${gateway.url}/v1`, maxRetries: 0 });
});

after(async () => {
  await gateway.close();
  await upstream.close();
});

function replay(name: string): void {
  if (name.endsWith('.chunks.txt')) {
    const chunks = sseChunks(readFileSync(new URL(name, FIXTURES), 'utf8'));
    upstream.respond({ status: 200, headers: { 'content-type': 'text/event-stream; charset=utf-8' }, chunks });
    return;
  }
  const meta = JSON.parse(readFileSync(new URL(`${name}.headers.json`, FIXTURES), 'utf8')) as { status: number; headers: Record<string, string> };
  upstream.respond({ ...meta, body: readFileSync(new URL(`${name}.json`, FIXTURES), 'utf8') });
}

test('cached prompt tokens: all-inclusive prompt_tokens, cached_tokens beside it', async () => {
  replay('cache-usage');
  const completion = await client.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'again' }] });
  assert.equal(completion.usage?.prompt_tokens, 18 + 2230 + 10752);
  assert.equal(completion.usage?.prompt_tokens_details?.cached_tokens, 10752);
  assert.equal(completion.usage?.completion_tokens, 24);
  const sent = JSON.parse(upstream.requests.at(-1)?.body ?? '{}') as Record<string, unknown>;
  assert.equal(sent['max_tokens'], 4096, 'Anthropic needs max_tokens; the adapter supplies its default');
});

test('streamed tool calls arrive as OpenAI tool_calls', async () => {
  replay('tool-call.chunks.txt');
  const stream = await client.chat.completions.create({
    model: 'claude',
    stream: true,
    stream_options: { include_usage: true },
    messages: [{ role: 'user', content: 'status of both pools?' }],
    tools: [{ type: 'function', function: { name: 'pool_status', parameters: { type: 'object', properties: { pool: { type: 'string' } } } } }],
  });
  const args = new Map<number, string>();
  let finish: string | null | undefined;
  for await (const chunk of stream) {
    const choice = chunk.choices[0];
    for (const call of choice?.delta.tool_calls ?? []) args.set(call.index, (args.get(call.index) ?? '') + (call.function?.arguments ?? ''));
    if (choice?.finish_reason) finish = choice.finish_reason;
  }
  assert.equal(finish, 'tool_calls');
  assert.deepEqual(JSON.parse(args.get(0) ?? ''), { pool: 'h100-east', fields: ['queue', 'kv_usage'] });
  assert.deepEqual(JSON.parse(args.get(1) ?? ''), { pool: 'l40s-west', fields: ['queue'] });
  const sent = JSON.parse(upstream.requests.at(-1)?.body ?? '{}') as Record<string, unknown>;
  assert.deepEqual(sent['tools'], [{ name: 'pool_status', input_schema: { type: 'object', properties: { pool: { type: 'string' } } } }]);
});
