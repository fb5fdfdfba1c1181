import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startFixtureServer, sseChunks, type FixtureServer } from '../support/fixture-server.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { openaiFixture, SSE_HEADERS } from '../support/openai-fixtures.js';

/**
 * `server.sseKeepAliveMs`: while the upstream is silent mid-stream, the gateway writes the surface's
 * keep-alive (an SSE comment on the OpenAI surface, Anthropic's `ping`), and the official SDKs read past
 * it to the same answer.
 */
describe('stream keep-alives while the upstream is silent', () => {
  let upstream: FixtureServer;
  let gw: TestGateway;

  before(async () => {
    upstream = await startFixtureServer();
    gw = await startTestGateway({
      server: { sseKeepAliveMs: 20 },
      backends: [{ name: 'pool', vendor: 'vllm', model: 'llama', replicas: [{ id: 'r0', url: `${upstream.url}/v1` }] }],
      models: [{ name: 'rail', backends: ['pool'] }],
      health: { failureThreshold: 100 },
    });
  });
  after(async () => {
    await gw.close();
    await upstream.close();
  });

  /** The recorded stream, each event 150 ms after the last: several keep-alive intervals of silence. */
  const slowStream = (): void => upstream.respond({ status: 200, headers: SSE_HEADERS, chunks: sseChunks(openaiFixture('chat-stream.chunks.txt')), chunkDelayMs: 150 });

  test('OpenAI surface: `: keep-alive` comments between the chunks; the SDK reads the same text', async () => {
    slowStream();
    const raw = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'rail', messages: [{ role: 'user', content: 'status?' }], stream: true }),
    }).then((response) => response.text());
    const firstChunk = raw.indexOf('data: {');
    const keepAlive = raw.indexOf(': keep-alive\n\n', firstChunk);
    assert.ok(firstChunk >= 0 && keepAlive > firstChunk, 'a keep-alive after the first chunk');
    assert.ok(raw.indexOf('data: {', keepAlive) > keepAlive, 'and chunks after it');
    assert.ok(raw.endsWith('data: [DONE]\n\n'));

    slowStream();
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'sk-local', maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'rail', messages: [{ role: 'user', content: 'status?' }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    assert.equal(text, 'Signal is green.');
  });

  test('Anthropic surface: `ping` events after message_start; the SDK builds the same message', async () => {
    slowStream();
    const raw = await fetch(`${gw.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'rail', max_tokens: 64, messages: [{ role: 'user', content: 'status?' }], stream: true }),
    }).then((response) => response.text());
    const events = raw.split('\n').filter((line) => line.startsWith('event: ')).map((line) => line.slice(7));
    assert.equal(events[0], 'message_start');
    assert.ok(events.includes('ping'), `pings among ${events.join(', ')}`);
    assert.equal(events.at(-1), 'message_stop');

    slowStream();
    const client = new Anthropic({ baseURL: gw.url, apiKey: 'sk-local', maxRetries: 0 });
    const message = await client.messages.stream({ model: 'rail', max_tokens: 64, messages: [{ role: 'user', content: 'status?' }] }).finalMessage();
    assert.equal(message.content.length, 1);
    assert.equal(message.content[0]?.type === 'text' ? message.content[0].text : undefined, 'Signal is green.');
  });
});
