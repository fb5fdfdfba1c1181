import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { generateText, streamText, tool, APICallError } from 'ai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { z } from 'zod';
import { startFixtureServer, sseChunks, type FixtureServer } from '../support/fixture-server.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { openaiFixture, JSON_HEADERS, SSE_HEADERS } from '../support/openai-fixtures.js';

const fixture = openaiFixture;
const json = JSON_HEADERS;
const sse = SSE_HEADERS;

/** The Vercel AI SDK (`ai` + `@ai-sdk/openai-compatible`), unchanged, against a running gateway. */
describe('AI SDK against the gateway', () => {
  let upstream: FixtureServer;
  let gw: TestGateway;
  let provider: ReturnType<typeof createOpenAICompatible>;

  before(async () => {
    upstream = await startFixtureServer();
    gw = await startTestGateway({
      backends: [{ name: 'pool', vendor: 'vllm', model: 'llama', replicas: [`${upstream.url}/v1`] }],
      models: [{ name: 'rail', backends: ['pool'] }],
      health: { failureThreshold: 100 },
    });
    provider = createOpenAICompatible({ name: 'switchyard', baseURL: `${gw.url}/v1`, apiKey: 'sk-local', includeUsage: true });
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });
  beforeEach(() => upstream.respond({ status: 200, headers: json, body: fixture('chat-basic.json') }));

  test('generateText', async () => {
    const result = await generateText({ model: provider('rail'), prompt: 'hello', maxRetries: 0 });
    assert.equal(result.text, 'Rails carry trains; gateways carry tokens.');
    assert.equal(result.usage.inputTokens, 19);
    assert.equal(result.finishReason, 'stop');
  });

  test('streamText with usage and cached tokens', async () => {
    upstream.respond({ status: 200, headers: sse, chunks: sseChunks(fixture('chat-stream.chunks.txt')) });
    const result = streamText({ model: provider('rail'), prompt: 'status?', maxRetries: 0 });
    let text = '';
    for await (const delta of result.textStream) text += delta;
    assert.equal(text, 'Signal is green.');
    const usage = await result.usage;
    assert.equal(usage.inputTokens, 1412);
    assert.equal(usage.inputTokenDetails?.cacheReadTokens ?? (usage as { cachedInputTokens?: number }).cachedInputTokens, 1280);
  });

  test('tools: streamed tool calls arrive parsed', async () => {
    upstream.respond({ status: 200, headers: sse, chunks: sseChunks(fixture('chat-tools-stream.chunks.txt')) });
    const result = streamText({
      model: provider('rail'),
      prompt: 'departures from Bern and the weather',
      maxRetries: 0,
      tools: {
        get_departures: tool({ description: 'departures', inputSchema: z.object({ station: z.string() }) }),
        get_weather: tool({ description: 'weather', inputSchema: z.object({ city: z.string() }) }),
      },
    });
    const calls = await result.toolCalls;
    assert.deepEqual(
      calls.map((c) => [c.toolName, c.input]),
      [
        ['get_departures', { station: 'Bern' }],
        ['get_weather', { city: 'Bern' }],
      ],
    );
    assert.equal(await result.finishReason, 'tool-calls');
  });

  test('generateText with tools (non-streaming)', async () => {
    upstream.respond({ status: 200, headers: json, body: fixture('chat-tools.json') });
    const result = await generateText({
      model: provider('rail'),
      prompt: 'departures',
      maxRetries: 0,
      tools: { get_departures: tool({ inputSchema: z.object({ station: z.string(), limit: z.number() }) }) },
    });
    assert.equal(result.toolCalls.length, 2);
    assert.deepEqual(result.toolCalls[1]?.input, { station: 'Basel SBB', limit: 3 });
  });

  test('errors: unknown model is an APICallError with status 404; upstream 503 with 503', async () => {
    await assert.rejects(generateText({ model: provider('nope'), prompt: 'x', maxRetries: 0 }), (error: unknown) => {
      assert.ok(APICallError.isInstance(error));
      assert.equal(error.statusCode, 404);
      return true;
    });
    upstream.respond({ status: 503, headers: json, body: fixture('vllm-error-500.json') });
    await assert.rejects(generateText({ model: provider('rail'), prompt: 'x', maxRetries: 0 }), (error: unknown) => {
      assert.ok(APICallError.isInstance(error));
      assert.equal(error.statusCode, 503);
      return true;
    });
  });
});
