import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic, { APIError, BadRequestError, NotFoundError } from '@anthropic-ai/sdk';
import { createEngine } from '../../src/engine/engine.js';
import { replicaSpec } from '../../src/engine/replica-spec.js';
import { Replica } from '../../src/emulator/replica.js';
import { createReplicaServer } from '../../src/emulator/server.js';
import type { FaultOptions } from '../../src/emulator/faults.js';
import { sseChunks, startFixtureServer, type FixtureServer } from '../support/fixture-server.js';
import { startTestGateway, waitForRecords, type TestGateway } from '../support/gateway.js';

/**
 * The real @anthropic-ai/sdk against a running gateway (127.0.0.1, port 0):
 * - `claude-emulated` is served by the engine emulator (an OpenAI-compatible vLLM stand-in), so the
 *   Anthropic surface renders events that came from a non-Anthropic backend — the Claude Code → vLLM path;
 * - `claude-upstream` is served by the Anthropic adapter against a fixture server replaying Anthropic's
 *   wire format, so cached-token usage is checked end to end;
 * - `broken` is an emulator that fails every request.
 */
interface Emulator {
  url: string;
  close(): Promise<void>;
}

async function startEmulator(id: string, faults: FaultOptions = {}): Promise<Emulator> {
  const replica = new Replica({
    id,
    pool: id,
    engine: createEngine(replicaSpec('llama-3.1-8b', 'h100-sxm')),
    servedModelNames: ['llama-3.1-8b'],
    speed: 1000,
    seed: 7,
    faults,
  });
  const server: Server = createReplicaServer(replica);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        replica.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const FIXTURES = new URL('../../src/providers/anthropic/__fixtures__/', import.meta.url);

let emulator: Emulator;
let broken: Emulator;
let anthropicUpstream: FixtureServer;
let gateway: TestGateway;
let client: Anthropic;

before(async () => {
  emulator = await startEmulator('emu');
  broken = await startEmulator('broken', { errorRate: 1, errorStatuses: [500] });
  anthropicUpstream = await startFixtureServer();
  gateway = await startTestGateway({
    routing: { maxAttempts: 2, maxRetryAfterMs: 10 },
    backends: [
      { name: 'emu', vendor: 'vllm', model: 'llama-3.1-8b', replicas: [`${emulator.url}/v1`] },
      { name: 'broken', vendor: 'vllm', model: 'llama-3.1-8b', replicas: [`${broken.url}/v1`] },
      { name: 'anthropic', provider: 'anthropic', model: 'claude-sonnet-4-5-20250929', apiKey: 'sk-ant-upstream', replicas: [anthropicUpstream.url] },
      {
        name: 'anthropic-pair',
        provider: 'anthropic',
        model: 'claude-sonnet-4-5-20250929',
        replicas: [
          { id: 'pair-0', url: anthropicUpstream.url },
          { id: 'pair-1', url: `${anthropicUpstream.url}/v1` },
        ],
      },
    ],
    models: [
      { name: 'claude-emulated', backends: ['emu'] },
      { name: 'broken', backends: ['broken'] },
      { name: 'claude-upstream', backends: ['anthropic'] },
      { name: 'claude-pair', backends: ['anthropic-pair'] },
    ],
  });
  client = new Anthropic({ apiKey: 'sk-gateway', baseURL: gateway.url, maxRetries: 0 });
});

after(async () => {
  await gateway.close();
  await Promise.all([emulator.close(), broken.close(), anthropicUpstream.close()]);
});

const weatherTool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] },
};

describe('Anthropic SDK → gateway → emulated engine', () => {
  test('a text message', async () => {
    const message = await client.messages.create({
      model: 'claude-emulated',
      max_tokens: 40,
      system: 'You are terse.',
      messages: [{ role: 'user', content: 'Say something about rails.' }],
    });
    assert.match(message.id, /^msg_/);
    assert.ok(typeof message._request_id === 'string' && message._request_id.length > 0, 'request-id header for the SDK');
    assert.equal(message.type, 'message');
    assert.equal(message.role, 'assistant');
    assert.equal(message.model, 'claude-emulated');
    assert.equal(message.content[0]?.type, 'text');
    assert.ok(message.content[0]?.type === 'text' && message.content[0].text.length > 0);
    assert.ok(message.stop_reason === 'end_turn' || message.stop_reason === 'max_tokens');
    assert.ok(message.usage.input_tokens > 0);
    assert.ok(message.usage.output_tokens > 0 && message.usage.output_tokens <= 40);
  });

  test('a streamed message: text events add up to the final message', async () => {
    const stream = client.messages.stream({
      model: 'claude-emulated',
      max_tokens: 60,
      messages: [{ role: 'user', content: 'Tell a long story about schedulers.' }],
    });
    let streamed = '';
    stream.on('text', (delta) => {
      streamed += delta;
    });
    const message = await stream.finalMessage();
    const block = message.content[0];
    assert.ok(block?.type === 'text');
    assert.equal(block.text, streamed);
    assert.ok(streamed.length > 0);
    assert.ok(message.stop_reason === 'end_turn' || message.stop_reason === 'max_tokens');
    assert.ok(message.usage.output_tokens > 0);
    assert.ok(message.usage.input_tokens > 0);
  });

  test('tool use, non-streamed and streamed', async () => {
    const params = {
      model: 'claude-emulated',
      max_tokens: 200,
      tools: [weatherTool],
      tool_choice: { type: 'tool' as const, name: 'get_weather' },
      messages: [{ role: 'user' as const, content: 'What is the weather in Oslo?' }],
    };
    const message = await client.messages.create(params);
    assert.equal(message.stop_reason, 'tool_use');
    const call = message.content.find((block) => block.type === 'tool_use');
    assert.ok(call?.type === 'tool_use');
    assert.equal(call.name, 'get_weather');
    assert.equal(typeof (call.input as { city?: unknown }).city, 'string');

    const streamed = await client.messages.stream(params).finalMessage();
    assert.equal(streamed.stop_reason, 'tool_use');
    const streamedCall = streamed.content.find((block) => block.type === 'tool_use');
    assert.ok(streamedCall?.type === 'tool_use');
    assert.equal(typeof (streamedCall.input as { city?: unknown }).city, 'string');

    // The tool result goes back and the model answers in text.
    const answer = await client.messages.create({
      ...params,
      tool_choice: { type: 'auto' },
      messages: [
        ...params.messages,
        { role: 'assistant', content: [{ type: 'tool_use', id: call.id, name: call.name, input: call.input }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: '12°C and clear' }] },
      ],
    });
    assert.equal(answer.content[0]?.type, 'text');
  });

  test('a Claude-Code-shaped turn: cached system blocks, thinking history, tool results, betas', async () => {
    const stream = client.messages.stream(
      {
        model: 'claude-emulated',
        max_tokens: 32000,
        system: [
          { type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude." },
          { type: 'text', text: 'Environment: linux, node 20.', cache_control: { type: 'ephemeral' } },
        ],
        metadata: { user_id: 'user_abc_account_def_session_123' },
        thinking: { type: 'enabled', budget_tokens: 4000 },
        tools: [{ ...weatherTool, input_schema: { ...weatherTool.input_schema, $schema: 'http://json-schema.org/draft-07/schema#' } }],
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Weather in Oslo?', cache_control: { type: 'ephemeral' } }] },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: 'Use the weather tool.', signature: '' },
              { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Oslo' } },
            ],
          },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01', content: [{ type: 'text', text: '12°C' }] }] },
        ],
      },
      { headers: { 'anthropic-beta': 'interleaved-thinking-2025-05-14' } },
    );
    const message = await stream.finalMessage();
    assert.ok(message.content.length > 0);
    assert.ok(['end_turn', 'max_tokens', 'tool_use'].includes(message.stop_reason ?? ''));
    assert.ok(message.usage.output_tokens > 0);
  });

  test('count_tokens', async () => {
    const counted = await client.messages.countTokens({
      model: 'claude-emulated',
      messages: [{ role: 'user', content: 'How many tokens is this prompt?' }],
    });
    assert.ok(counted.input_tokens > 0);
  });

  test('errors arrive as the SDK’s own error classes', async () => {
    await assert.rejects(
      client.messages.create({ model: 'no-such-model', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
      (error: unknown) => error instanceof NotFoundError && error.type === 'not_found_error' && typeof error.requestID === 'string',
    );
    await assert.rejects(
      client.messages.create({ model: 'claude-emulated', max_tokens: 5, messages: [] }),
      (error: unknown) => error instanceof BadRequestError && error.apiMessage === 'messages: at least one message is required',
    );
    await assert.rejects(
      client.messages.create({ model: 'broken', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
      (error: unknown) => error instanceof APIError && (error.status ?? 0) >= 500,
    );
    await assert.rejects(
      client.messages.stream({ model: 'broken', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).finalMessage(),
      (error: unknown) => error instanceof APIError && (error.status ?? 0) >= 500,
    );
  });
});

describe('Anthropic SDK → gateway → Anthropic adapter → recorded Anthropic wire format', () => {
  test('streamed cache reads reach the client and the ledger record', async () => {
    const before = gateway.records.length;
    const chunks = sseChunks(readFileSync(new URL('cache-usage.chunks.txt', FIXTURES), 'utf8'));
    anthropicUpstream.respond({ status: 200, headers: { 'content-type': 'text/event-stream; charset=utf-8' }, chunks });
    const message = await client.messages
      .stream(
        { model: 'claude-upstream', max_tokens: 64, messages: [{ role: 'user', content: 'again, with the cached prefix' }] },
        { headers: { 'anthropic-beta': 'context-management-2025-06-27' } },
      )
      .finalMessage();
    assert.deepEqual(message.content, [{ type: 'text', text: 'Cached prefix reused.' }]);
    assert.equal(message.usage.input_tokens, 9);
    assert.equal(message.usage.cache_read_input_tokens, 12982);
    assert.equal(message.usage.output_tokens, 6);
    const sent = anthropicUpstream.requests.at(-1);
    assert.equal(sent?.headers['x-api-key'], 'sk-ant-upstream');
    assert.equal(sent?.headers['anthropic-version'], '2023-06-01');
    assert.equal(sent?.headers['anthropic-beta'], 'context-management-2025-06-27');
    await waitForRecords(gateway.records, before + 1);
    const record = gateway.records.at(-1);
    assert.deepEqual(
      [record?.usage.inputTokens, record?.usage.cachedInputTokens, record?.usage.outputTokens],
      [9 + 12982, 12982, 6],
    );
  });

  test('an overload right after message_start is retried on another replica before the client sees a byte', async () => {
    const before = gateway.records.length;
    const stream = (name: string) => ({
      status: 200,
      headers: { 'content-type': 'text/event-stream; charset=utf-8' },
      chunks: sseChunks(readFileSync(new URL(`${name}.chunks.txt`, FIXTURES), 'utf8')),
    });
    anthropicUpstream.respond(stream('overloaded-early'), stream('text'));
    const message = await client.messages
      .stream({ model: 'claude-pair', max_tokens: 64, messages: [{ role: 'user', content: 'hello' }] })
      .finalMessage();
    assert.deepEqual(message.content, [{ type: 'text', text: 'Rails for inference: one API, many backends.' }]);
    await waitForRecords(gateway.records, before + 1);
    assert.equal(gateway.records.at(-1)?.attempts, 2);
  });

  test('count_tokens is answered by Anthropic itself when the backend is Anthropic', async () => {
    const meta = JSON.parse(readFileSync(new URL('count-tokens.headers.json', FIXTURES), 'utf8')) as { status: number; headers: Record<string, string> };
    anthropicUpstream.respond({ ...meta, body: readFileSync(new URL('count-tokens.json', FIXTURES), 'utf8') });
    const counted = await client.messages.countTokens({ model: 'claude-upstream', messages: [{ role: 'user', content: 'count me' }] });
    assert.equal(counted.input_tokens, 2095);
    const sent = anthropicUpstream.requests.at(-1);
    assert.equal(sent?.url, '/v1/messages/count_tokens');
    assert.deepEqual(JSON.parse(sent?.body ?? '{}'), {
      model: 'claude-sonnet-4-5-20250929',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'count me' }] }],
    });
  });

  test('an upstream 429 keeps Anthropic’s retry-after', async () => {
    const meta = JSON.parse(readFileSync(new URL('rate-limit.headers.json', FIXTURES), 'utf8')) as { status: number; headers: Record<string, string> };
    anthropicUpstream.respond({ ...meta, body: readFileSync(new URL('rate-limit.json', FIXTURES), 'utf8') });
    await assert.rejects(
      client.messages.create({ model: 'claude-upstream', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
      (error: unknown) => {
        assert.ok(error instanceof APIError);
        assert.ok((error.status ?? 0) >= 429, `status ${error.status}`);
        assert.equal(error.headers?.get('retry-after'), '7');
        return true;
      },
    );
  });
});
