import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startFixtureServer, sseChunks, type FixtureServer } from '../support/fixture-server.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { openaiFixture, JSON_HEADERS, SSE_HEADERS } from '../support/openai-fixtures.js';

const fixture = openaiFixture;
const json = JSON_HEADERS;
const sse = SSE_HEADERS;

/** The official `openai` client, unchanged, against a running gateway in front of a replaying upstream. */
describe('openai SDK against the gateway', () => {
  let upstream: FixtureServer;
  let gw: TestGateway;
  let client: OpenAI;

  before(async () => {
    upstream = await startFixtureServer();
    gw = await startTestGateway({
      backends: [{ name: 'pool', vendor: 'vllm', model: 'llama', replicas: [{ id: 'r0', url: `${upstream.url}/v1` }] }],
      models: [{ name: 'rail', backends: ['pool'] }],
      health: { failureThreshold: 100 },
    });
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'sk-local', maxRetries: 0 });
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });
  beforeEach(() => upstream.respond({ status: 200, headers: json, body: fixture('chat-basic.json') }));

  test('chat completion', async () => {
    const completion = await client.chat.completions.create({ model: 'rail', messages: [{ role: 'user', content: 'hello' }] });
    assert.equal(completion.choices[0]?.message.content, 'Rails carry trains; gateways carry tokens.');
    assert.equal(completion.usage?.total_tokens, 28);
  });

  test('raw response exposes x-request-id and x-switchyard-route', async () => {
    const { response } = await client.chat.completions.create({ model: 'rail', messages: [{ role: 'user', content: 'hello' }] }).withResponse();
    assert.ok(response.headers.get('x-request-id'));
    assert.equal(response.headers.get('x-switchyard-route'), 'pool/r0');
  });

  test('stream with include_usage: text and cached tokens in the final usage chunk', async () => {
    upstream.respond({ status: 200, headers: sse, chunks: sseChunks(fixture('chat-stream.chunks.txt')) });
    const stream = await client.chat.completions.create({
      model: 'rail',
      messages: [{ role: 'user', content: 'status?' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(text, 'Signal is green.');
    assert.equal(usage?.prompt_tokens, 1412);
    assert.equal(usage?.prompt_tokens_details?.cached_tokens, 1280);
  });

  test('tools with streamed arguments assemble into parallel tool calls', async () => {
    upstream.respond({ status: 200, headers: sse, chunks: sseChunks(fixture('chat-tools-stream.chunks.txt')) });
    const runner = client.chat.completions.stream({
      model: 'rail',
      messages: [{ role: 'user', content: 'departures from Bern and the weather' }],
      tools: [
        { type: 'function', function: { name: 'get_departures', parameters: { type: 'object', properties: { station: { type: 'string' } } } } },
        { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
      ],
      parallel_tool_calls: true,
    });
    const final = await runner.finalChatCompletion();
    const calls = final.choices[0]?.message.tool_calls ?? [];
    assert.equal(calls.length, 2);
    const [first, second] = calls as Array<{ id: string; function: { name: string; arguments: string } }>;
    assert.equal(first?.function.name, 'get_departures');
    assert.deepEqual(JSON.parse(first?.function.arguments ?? ''), { station: 'Bern' });
    assert.deepEqual(JSON.parse(second?.function.arguments ?? ''), { city: 'Bern' });
    assert.equal(final.choices[0]?.finish_reason, 'tool_calls');
    const sent = JSON.parse(upstream.requests.at(-1)?.body ?? '{}') as { tools: unknown[]; parallel_tool_calls: boolean };
    assert.equal(sent.tools.length, 2);
    assert.equal(sent.parallel_tool_calls, true);
  });

  test('unknown model → NotFoundError 404 with code model_not_found', async () => {
    await assert.rejects(client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }), (error: unknown) => {
      assert.ok(error instanceof OpenAI.NotFoundError);
      assert.equal(error.status, 404);
      assert.equal(error.code, 'model_not_found');
      return true;
    });
  });

  test('bad field → BadRequestError 400 naming the param', async () => {
    await assert.rejects(
      client.chat.completions.create({ model: 'rail', messages: [{ role: 'user', content: 'x' }], temperature: 7 }),
      (error: unknown) => {
        assert.ok(error instanceof OpenAI.BadRequestError);
        assert.equal(error.param, 'temperature');
        return true;
      },
    );
  });

  test('upstream 503 → APIError with status 503', async () => {
    upstream.respond({ status: 503, headers: json, body: fixture('vllm-error-500.json') });
    await assert.rejects(client.chat.completions.create({ model: 'rail', messages: [{ role: 'user', content: 'x' }] }), (error: unknown) => {
      assert.ok(error instanceof OpenAI.APIError);
      assert.equal(error.status, 503);
      return true;
    });
  });

  test('a stream failing mid-way raises an APIError in the SDK loop', async () => {
    const chunks = sseChunks(fixture('chat-stream.chunks.txt')).slice(0, 2);
    upstream.respond({ status: 200, headers: sse, chunks, chunkDelayMs: 5, disconnect: true });
    const stream = await client.chat.completions.create({ model: 'rail', messages: [{ role: 'user', content: 'x' }], stream: true });
    await assert.rejects(
      (async () => {
        for await (const _chunk of stream) {
          // drain
        }
      })(),
      (error: unknown) => error instanceof OpenAI.APIError,
    );
  });

  test('models list', async () => {
    const models = await client.models.list();
    assert.deepEqual(models.data.map((m) => m.id), ['rail']);
    assert.equal((await client.models.retrieve('rail')).id, 'rail');
  });
});
