import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { startFixtureServer, sseChunks, type FixtureServer } from '../support/fixture-server.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { openaiFixture, JSON_HEADERS, SSE_HEADERS } from '../support/openai-fixtures.js';

const fixture = openaiFixture;
const json = JSON_HEADERS;
const sse = SSE_HEADERS;

/** The official Anthropic client, unchanged, through the gateway to an OpenAI-compatible engine. */
describe('Anthropic SDK against the gateway (OpenAI-compatible upstream)', () => {
  let upstream: FixtureServer;
  let gw: TestGateway;
  let client: Anthropic;

  before(async () => {
    upstream = await startFixtureServer();
    gw = await startTestGateway({
      backends: [{ name: 'pool', vendor: 'vllm', model: 'llama', replicas: [{ id: 'r0', url: `${upstream.url}/v1` }] }],
      models: [{ name: 'rail', backends: ['pool'] }],
      health: { failureThreshold: 100 },
    });
    client = new Anthropic({ baseURL: gw.url, apiKey: 'sk-local', maxRetries: 0 });
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });
  beforeEach(() => upstream.respond({ status: 200, headers: json, body: fixture('chat-cached-usage.json') }));

  test('messages.create: text and usage with cache reads', async () => {
    const message = await client.messages.create({ model: 'rail', max_tokens: 64, messages: [{ role: 'user', content: 'hello' }] });
    assert.equal(message.type, 'message');
    assert.deepEqual(message.content, [{ type: 'text', text: 'The second turn reuses the cached system prompt.' }]);
    assert.equal(message.stop_reason, 'end_turn');
    assert.equal(message.usage.cache_read_input_tokens, 2048);
    const sent = JSON.parse(upstream.requests.at(-1)?.body ?? '{}') as { max_tokens: number };
    assert.equal(sent.max_tokens, 64);
  });

  test('streaming: text deltas and final message', async () => {
    upstream.respond({ status: 200, headers: sse, chunks: sseChunks(fixture('chat-stream.chunks.txt')) });
    const stream = client.messages.stream({ model: 'rail', max_tokens: 64, messages: [{ role: 'user', content: 'status?' }] });
    let text = '';
    stream.on('text', (delta) => (text += delta));
    const final = await stream.finalMessage();
    assert.equal(text, 'Signal is green.');
    assert.equal(final.usage.output_tokens, 4);
  });

  test('tool use', async () => {
    upstream.respond({ status: 200, headers: json, body: fixture('chat-tools.json') });
    const message = await client.messages.create({
      model: 'rail',
      max_tokens: 64,
      tools: [{ name: 'get_departures', input_schema: { type: 'object', properties: { station: { type: 'string' } } } }],
      messages: [{ role: 'user', content: 'departures' }],
    });
    assert.equal(message.stop_reason, 'tool_use');
    const uses = message.content.filter((b) => b.type === 'tool_use');
    assert.equal(uses.length, 2);
    assert.deepEqual(uses[0]?.type === 'tool_use' ? uses[0].input : undefined, { station: 'Zurich HB', limit: 3 });
  });

  test('count_tokens and errors in the Anthropic envelope', async () => {
    const counted = await client.messages.countTokens({ model: 'rail', messages: [{ role: 'user', content: 'how many tokens is this' }] });
    assert.ok(counted.input_tokens > 0);
    await assert.rejects(client.messages.create({ model: 'nope', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }), (error: unknown) => {
      assert.ok(error instanceof Anthropic.NotFoundError);
      assert.equal((error.error as { error?: { type?: string } }).error?.type, 'not_found_error');
      return true;
    });
    upstream.respond({ status: 503, headers: json, body: fixture('vllm-error-500.json') });
    await assert.rejects(client.messages.create({ model: 'rail', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }), (error: unknown) => {
      assert.ok(error instanceof Anthropic.APIError);
      assert.equal(error.status, 503);
      return true;
    });
  });
});
