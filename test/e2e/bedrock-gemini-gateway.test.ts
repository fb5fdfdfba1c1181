import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startFixtureServer, type FixtureServer } from '../support/fixture-server.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { isProviderId } from '../../src/providers/registry.js';
import { jsonFixture, streamFixture } from '../../src/providers/bedrock/__fixtures__/build.js';
import { sseFixture } from '../../src/providers/gemini/__fixtures__/build.js';

// The Bedrock and Gemini adapters through the real gateway with the OpenAI and Anthropic SDKs as clients. Runs once both
// are registered in src/providers/registry.ts (`bedrock: createBedrockAdapter, gemini: createGeminiAdapter`).
const registered = isProviderId('bedrock') && isProviderId('gemini');
const skip = registered ? false : 'bedrock/gemini are not registered in src/providers/registry.ts yet';

describe('OpenAI and Anthropic SDKs → gateway → Bedrock / Gemini fixture upstreams', { skip }, () => {
  let upstream: FixtureServer;
  let gw: TestGateway;
  let client: OpenAI;

  before(async () => {
    upstream = await startFixtureServer();
    const credentials = { region: 'us-east-1', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
    gw = await startTestGateway({
      backends: [
        {
          name: 'bedrock-claude',
          provider: 'bedrock',
          model: 'us.anthropic.claude-sonnet-4-20250514-v1:0',
          // Two "regions" (both the fixture server) so a first-event throttle can move to the other one.
          replicas: [
            { id: 'east', url: upstream.url },
            { id: 'west', url: upstream.url },
          ],
          options: credentials,
        },
        { name: 'gemini-pro', provider: 'gemini', model: 'gemini-2.5-pro', replicas: [upstream.url], apiKey: 'AIzaSyTEST' },
      ],
      models: [
        { name: 'claude', backends: ['bedrock-claude'] },
        { name: 'gemini', backends: ['gemini-pro'] },
      ],
    });
    client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  });
  after(async () => {
    await gw?.close();
    await upstream?.close();
  });

  test('Bedrock stream: cached tokens reach the client usage chunk', async () => {
    upstream.respond(streamFixture('stream-cached-usage.stream.json'));
    const stream = await client.chat.completions.create({
      model: 'claude',
      messages: [{ role: 'user', content: 'Which section covers shunting?' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(text, 'Section 4 covers shunting signals.');
    assert.equal(usage?.prompt_tokens, 3605);
    assert.equal(usage?.prompt_tokens_details?.cached_tokens, 3072);
    assert.equal(usage?.completion_tokens, 41);
  });

  test('Bedrock streamed tool calls arrive as valid JSON arguments', async () => {
    upstream.respond(streamFixture('stream-tool-call.stream.json'));
    const stream = await client.chat.completions.create({
      model: 'claude',
      messages: [{ role: 'user', content: 'Departures?' }],
      tools: [{ type: 'function', function: { name: 'departures', parameters: { type: 'object', properties: { station: { type: 'string' } } } } }],
      stream: true,
    });
    const args: string[] = [];
    let finish: string | null = null;
    for await (const chunk of stream) {
      for (const call of chunk.choices[0]?.delta.tool_calls ?? []) args[call.index] = (args[call.index] ?? '') + (call.function?.arguments ?? '');
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    assert.deepEqual(args.map((a) => JSON.parse(a) as unknown), [
      { station: 'Utrecht Centraal', limit: 3 },
      { station: 'Amersfoort', limit: 2 },
    ]);
    assert.equal(finish, 'tool_calls');
  });

  test('a throttle sent as the first Bedrock event is retried on the other replica before the client sees a byte', async () => {
    const before = upstream.requests.length;
    upstream.respond(streamFixture('stream-first-exception.stream.json'), streamFixture('stream-text.stream.json'));
    const stream = await client.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'Points?' }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    assert.equal(text, 'Points move a train from one track to another — même à Zürich.');
    assert.equal(upstream.requests.length - before, 2);
  });

  test('Bedrock non-streaming usage includes cache reads and writes in prompt_tokens', async () => {
    upstream.respond(jsonFixture('converse-cached-usage.json'));
    const response = await client.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'Which section?' }] });
    assert.equal(response.usage?.prompt_tokens, 3605);
    assert.equal(response.usage?.prompt_tokens_details?.cached_tokens, 3072);
    assert.equal(response.choices[0]?.message.content, 'Section 4 of the manual covers shunting signals.');
  });

  test('Anthropic SDK over Bedrock: thinking with its signature, and cache counters split back out', async () => {
    upstream.respond(streamFixture('stream-cached-usage.stream.json'));
    const anthropic = new Anthropic({ baseURL: gw.url, apiKey: 'unused', maxRetries: 0 });
    const message = await anthropic.messages
      .stream({ model: 'claude', max_tokens: 1024, messages: [{ role: 'user', content: 'Which section covers shunting?' }] })
      .finalMessage();
    const thinking = message.content.find((block) => block.type === 'thinking');
    assert.equal(thinking?.type === 'thinking' ? thinking.signature : undefined, 'EqQBCkgIBhABGAIiQJ4c0ZsYn0k9pA7Z');
    assert.equal(thinking?.type === 'thinking' ? thinking.thinking : undefined, 'The timetable is in the cached manual; section 4 answers it.');
    const text = message.content.find((block) => block.type === 'text');
    assert.equal(text?.type === 'text' ? text.text : undefined, 'Section 4 covers shunting signals.');
    assert.equal(message.stop_reason, 'end_turn');
    // Anthropic's input_tokens excludes the cache again: 3605 − 3072 − 512 = 21, as Bedrock reported it.
    assert.equal(message.usage.input_tokens, 21);
    assert.equal(message.usage.cache_read_input_tokens, 3072);
    assert.equal(message.usage.cache_creation_input_tokens, 512);
    assert.equal(message.usage.output_tokens, 41);
  });

  test('Gemini stream: cached and reasoning tokens reach the client usage chunk', async () => {
    upstream.respond(sseFixture('stream-cached-usage.sse'));
    const stream = await client.chat.completions.create({
      model: 'gemini',
      messages: [{ role: 'user', content: 'Which section?' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) if (chunk.usage) usage = chunk.usage;
    assert.equal(usage?.prompt_tokens, 4210);
    assert.equal(usage?.prompt_tokens_details?.cached_tokens, 4082);
    assert.equal(usage?.completion_tokens, 185);
    assert.equal(usage?.completion_tokens_details?.reasoning_tokens, 174);
  });
});
