import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { CapturedRequest } from '../../../test/support/fixture-server.js';
import { chatRequest, collect, fixtureUpstream } from '../adapter-test-support.js';
import { UpstreamError } from '../../errors/upstream-error.js';
import type { CallContext, UpstreamTarget } from '../../spec/adapter.js';
import type { ChatRequest } from '../../spec/request.js';
import type { StreamEvent } from '../../spec/stream.js';
import { createBedrockAdapter } from './adapter.js';
import { encodeFrame, jsonFixture, streamFixture } from './__fixtures__/build.js';
import { sha256Hex, sign } from './sigv4.js';

const MODEL = 'us.anthropic.claude-sonnet-4-20250514-v1:0';
const NOW = new Date('2026-11-22T10:30:00Z');
const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token-1' };

const upstream = fixtureUpstream();
const adapter = createBedrockAdapter({ now: () => NOW });

function target(): UpstreamTarget {
  return { baseUrl: upstream.url, upstreamModel: MODEL, options: { region: 'us-east-1', ...CREDENTIALS } };
}

const request = (overrides: Partial<ChatRequest> = {}): ChatRequest => chatRequest('What is a switchyard?', 256, overrides);
const context = (): CallContext => upstream.context('req-local-1');
const lastRequest = (): CapturedRequest => upstream.lastRequest();

/** Verifies a captured request the way AWS does: recompute the signature from what arrived on the wire. */
function verifySignature(captured: CapturedRequest): void {
  const authorization = String(captured.headers['authorization']);
  const signed = /SignedHeaders=([^,]+)/.exec(authorization)?.[1]?.split(';') ?? [];
  assert.deepEqual(signed, ['content-type', 'host', 'x-amz-content-sha256', 'x-amz-date', 'x-amz-security-token']);
  const headers = Object.fromEntries(signed.map((name) => [name, String(captured.headers[name])]));
  assert.equal(headers['x-amz-content-sha256'], sha256Hex(captured.body));
  assert.equal(headers['x-amz-date'], '20261122T103000Z');
  assert.equal(headers['x-amz-security-token'], CREDENTIALS.sessionToken);
  const [path, query = ''] = captured.url.split('?') as [string, string?];
  const expected = sign(
    { method: captured.method, path, query, headers, payloadHash: sha256Hex(captured.body) },
    { amzDate: '20261122T103000Z', region: 'us-east-1', service: 'bedrock' },
    CREDENTIALS,
  );
  assert.equal(authorization, expected.authorization);
}

describe('Bedrock Converse (non-streaming)', () => {
  test('plain text: signed request on the encoded model path, text back', async () => {
    upstream.respond(jsonFixture('converse-text.json'));
    const response = await adapter.chat(request(), target(), context());
    const captured = lastRequest();
    assert.equal(captured.method, 'POST');
    assert.equal(captured.url, '/model/us.anthropic.claude-sonnet-4-20250514-v1%3A0/converse');
    verifySignature(captured);
    const body = JSON.parse(captured.body) as Record<string, unknown>;
    assert.deepEqual(body['system'], [{ text: 'You are a dispatcher.' }]);
    assert.deepEqual(body['inferenceConfig'], { maxTokens: 256 });
    assert.deepEqual(response.content, [{ type: 'text', text: 'A switchyard is where rail cars are sorted onto the right trains.' }]);
    assert.equal(response.finishReason, 'stop');
    assert.equal(response.rawFinishReason, 'end_turn');
    assert.equal(response.id, '6f1c2a9e-3b0d-4c57-9a44-2e8d1b7f0a11');
    assert.equal(response.model, MODEL);
    assert.deepEqual(response.usage, { inputTokens: 19, cachedInputTokens: undefined, cacheWriteTokens: undefined, outputTokens: 16, reasoningTokens: undefined });
  });

  test('tool call: toolUse becomes a tool-use block and finish tool-calls', async () => {
    upstream.respond(jsonFixture('converse-tool-call.json'));
    const response = await adapter.chat(request(), target(), context());
    assert.equal(response.finishReason, 'tool-calls');
    assert.deepEqual(response.content[1], {
      type: 'tool-use',
      id: 'tooluse_Qm3vX8rTTe2n0bYkLw5aJg',
      name: 'departures',
      input: { station: 'Utrecht Centraal', limit: 3 },
    });
  });

  test('cached usage: input includes cache reads and writes; reasoning keeps its signature', async () => {
    upstream.respond(jsonFixture('converse-cached-usage.json'));
    const response = await adapter.chat(request(), target(), context());
    // Bedrock: inputTokens 21 (uncached only) + cacheRead 3072 + cacheWrite 512; totalTokens 3643 = 3605 + 38.
    assert.deepEqual(response.usage, { inputTokens: 3605, cachedInputTokens: 3072, cacheWriteTokens: 512, outputTokens: 38, reasoningTokens: undefined });
    assert.deepEqual(response.content[0], {
      type: 'reasoning',
      text: "The manual's section 4 covers shunting signals.",
      signature: 'EqQBCkgIBhABGAIiQJ4c0ZsYn0k9pA7Z',
    });
  });

  const errorCases = [
    { file: 'error-400-validation.json', status: 400, type: 'ValidationException', retryable: false },
    { file: 'error-403-access-denied.json', status: 403, type: 'AccessDeniedException', retryable: false },
    { file: 'error-404-not-found.json', status: 404, type: 'ResourceNotFoundException', retryable: false },
    { file: 'error-429-throttling.json', status: 429, type: 'ThrottlingException', retryable: true, retryAfterMs: 7000 },
    { file: 'error-500-internal.json', status: 500, type: 'InternalServerException', retryable: true },
    { file: 'error-503-unavailable.json', status: 503, type: 'ServiceUnavailableException', retryable: true },
  ];
  for (const c of errorCases) {
    test(`HTTP ${c.status} ${c.type} → UpstreamError`, async () => {
      upstream.respond(jsonFixture(c.file));
      for (const call of [() => adapter.chat(request(), target(), context()), () => adapter.streamChat(request({ stream: true }), target(), context())]) {
        await assert.rejects(call(), (error: unknown) => {
          assert.ok(error instanceof UpstreamError);
          assert.equal(error.kind, 'status');
          assert.equal(error.upstreamStatus, c.status);
          assert.equal(error.retryable, c.retryable);
          assert.equal(error.retryAfterMs, c.retryAfterMs);
          assert.match(error.message, new RegExp(`^Bedrock ${c.type} \\(HTTP ${c.status}\\): .+`));
          return true;
        });
      }
    });
  }
});

describe('Bedrock CountTokens', () => {
  test('sends the Converse input as input.converse and returns inputTokens', async () => {
    upstream.respond(jsonFixture('count-tokens.json'));
    const count = adapter.countTokens;
    assert.ok(count);
    assert.equal(await count(request(), target(), context()), 27);
    const captured = lastRequest();
    assert.equal(captured.url, '/model/us.anthropic.claude-sonnet-4-20250514-v1%3A0/count-tokens');
    verifySignature(captured);
    assert.deepEqual(JSON.parse(captured.body), {
      input: { converse: { messages: [{ role: 'user', content: [{ text: 'What is a switchyard?' }] }], system: [{ text: 'You are a dispatcher.' }] } },
    });
  });
});

describe('Bedrock ConverseStream', () => {
  test('text stream over split binary frames', async () => {
    upstream.respond(streamFixture('stream-text.stream.json'));
    const events = await collect(await adapter.streamChat(request({ stream: true }), target(), context()));
    const captured = lastRequest();
    assert.equal(captured.url, '/model/us.anthropic.claude-sonnet-4-20250514-v1%3A0/converse-stream');
    verifySignature(captured);
    assert.deepEqual(events[0], { type: 'response-start', id: '1b2c3d4e-6666-4f70-8a9b-0c1d2e3f4a5b', model: MODEL });
    const text = events.flatMap((e) => (e.type === 'text-delta' ? [e.text] : [])).join('');
    assert.equal(text, 'Points move a train from one track to another — même à Zürich.');
    assert.deepEqual(events.filter((e) => e.type === 'finish'), [{ type: 'finish', reason: 'stop', raw: 'end_turn' }]);
    assert.deepEqual(events[events.length - 1], {
      type: 'usage',
      usage: { inputTokens: 14, cachedInputTokens: undefined, cacheWriteTokens: undefined, outputTokens: 15, reasoningTokens: undefined },
    });
    assert.equal(events.some((e) => e.type === 'error'), false);
  });

  test('streamed tool calls: fragments reassemble into valid JSON per call', async () => {
    upstream.respond(streamFixture('stream-tool-call.stream.json'));
    const events = await collect(await adapter.streamChat(request({ stream: true }), target(), context()));
    const starts = events.filter((e) => e.type === 'tool-call-start');
    assert.deepEqual(starts, [
      { type: 'tool-call-start', index: 0, id: 'tooluse_Zr1Vx9YtQqS8m2C7eJfHbA', name: 'departures' },
      { type: 'tool-call-start', index: 1, id: 'tooluse_8bH2kLmPQ1yWcX4rT6uVnE', name: 'departures' },
    ]);
    const args = [0, 1].map((index) =>
      events.flatMap((e) => (e.type === 'tool-call-delta' && e.index === index ? [e.argumentsDelta] : [])).join(''),
    );
    assert.deepEqual(args.map((a) => JSON.parse(a) as unknown), [
      { station: 'Utrecht Centraal', limit: 3 },
      { station: 'Amersfoort', limit: 2 },
    ]);
    assert.deepEqual(events.filter((e) => e.type === 'tool-call-end'), [
      { type: 'tool-call-end', index: 0 },
      { type: 'tool-call-end', index: 1 },
    ]);
    // metadata arrived before messageStop here; both are passed on.
    const finish = events.find((e) => e.type === 'finish');
    assert.deepEqual(finish, { type: 'finish', reason: 'tool-calls', raw: 'tool_use' });
    assert.ok(events.some((e) => e.type === 'usage' && e.usage.inputTokens === 388 && e.usage.outputTokens === 102));
  });

  test('streamed usage with cached tokens, and reasoning with its signature', async () => {
    upstream.respond(streamFixture('stream-cached-usage.stream.json'));
    const events = await collect(await adapter.streamChat(request({ stream: true }), target(), context()));
    const usage = events.filter((e) => e.type === 'usage');
    assert.deepEqual(usage, [
      { type: 'usage', usage: { inputTokens: 3605, cachedInputTokens: 3072, cacheWriteTokens: 512, outputTokens: 41, reasoningTokens: undefined } },
    ]);
    const reasoning = events.filter((e) => e.type === 'reasoning-delta');
    assert.equal(reasoning.map((e) => e.text).join(''), 'The timetable is in the cached manual; section 4 answers it.');
    assert.ok(reasoning.some((e) => e.signature === 'EqQBCkgIBhABGAIiQJ4c0ZsYn0k9pA7Z'));
  });

  test('an exception as the first event rejects with a retryable UpstreamError', async () => {
    upstream.respond(streamFixture('stream-first-exception.stream.json'));
    await assert.rejects(adapter.streamChat(request({ stream: true }), target(), context()), (error: unknown) => {
      assert.ok(error instanceof UpstreamError);
      assert.equal(error.upstreamStatus, 429);
      assert.equal(error.retryable, true);
      assert.equal(error.code, 'upstream_unavailable');
      assert.match(error.message, /throttlingException: Too many tokens/);
      return true;
    });
  });

  test('a recorded Bedrock exception frame (real bytes) as the first event rejects retryably', async () => {
    const vectors = JSON.parse(readFileSync(new URL('./__fixtures__/event-stream-vectors.json', import.meta.url), 'utf8')) as {
      vectors: Record<string, { hex: string }>;
    };
    const frame = Buffer.from(vectors.vectors['bedrock_model_stream_error_exception']?.hex ?? '', 'hex');
    upstream.respond({ status: 200, headers: { 'content-type': 'application/vnd.amazon.eventstream' }, chunks: [frame.subarray(0, 50), frame.subarray(50)] });
    await assert.rejects(adapter.streamChat(request({ stream: true }), target(), context()), (error: unknown) => {
      assert.ok(error instanceof UpstreamError);
      assert.equal(error.upstreamStatus, 500);
      assert.equal(error.retryable, true);
      assert.match(error.message, /modelStreamErrorException: Model Stream Error/);
      return true;
    });
  });

  test('a client abort mid-stream is rethrown, not turned into an upstream error event', async () => {
    const fixture = streamFixture('stream-text.stream.json');
    upstream.respond({ ...fixture, chunkDelayMs: 50 });
    const controller = new AbortController();
    const events = await adapter.streamChat(request({ stream: true }), target(), { ...context(), signal: controller.signal });
    const seen: StreamEvent[] = [];
    await assert.rejects(async () => {
      for await (const batch of events) {
        seen.push(...batch);
        if (seen.length >= 1) controller.abort(new Error('client went away'));
      }
    }, /client went away/);
    assert.equal(seen.some((e) => e.type === 'error'), false);
  });

  test('an exception after the stream began becomes an error event', async () => {
    upstream.respond(streamFixture('stream-mid-exception.stream.json'));
    const events = await collect(await adapter.streamChat(request({ stream: true }), target(), context()));
    assert.deepEqual(
      events.map((e) => e.type),
      ['response-start', 'text-delta', 'error'],
    );
    const error = events[2];
    assert.equal(error?.type, 'error');
    if (error?.type === 'error') {
      assert.equal(error.status, 500);
      assert.equal(error.code, 'upstream_error');
      assert.match(error.message, /modelStreamErrorException: Model Stream Error/);
    }
  });

  test('a corrupt frame mid-stream is an error event; a corrupt first frame rejects', async () => {
    const good = streamFixture('stream-text.stream.json');
    const frames = good.frames.map((f) => Buffer.from(encodeFrame(f)));
    const broken = Buffer.from(frames[2] as Buffer);
    broken[broken.length - 6] = (broken[broken.length - 6] ?? 0) ^ 0xff; // inside the payload: message CRC fails
    upstream.respond({ status: 200, headers: good.headers ?? {}, chunks: [frames[0] as Buffer, frames[1] as Buffer, broken, frames[3] as Buffer] });
    const events = await collect(await adapter.streamChat(request({ stream: true }), target(), context()));
    assert.deepEqual(events.map((e) => e.type), ['response-start', 'text-delta', 'error']);
    assert.match(events[2]?.type === 'error' ? events[2].message : '', /message CRC mismatch/);

    upstream.respond({ status: 200, headers: good.headers ?? {}, chunks: [broken] });
    await assert.rejects(
      adapter.streamChat(request({ stream: true }), target(), context()),
      (error: unknown) => error instanceof UpstreamError && error.kind === 'protocol',
    );
  });

  test('a stream cut before messageStop ends with an error, not an invented finish', async () => {
    const good = streamFixture('stream-text.stream.json');
    const frames = good.frames.slice(0, 3).map((f) => encodeFrame(f));
    upstream.respond({ status: 200, headers: good.headers ?? {}, chunks: frames });
    const events = await collect(await adapter.streamChat(request({ stream: true }), target(), context()));
    assert.equal(events.some((e) => e.type === 'finish'), false);
    assert.equal(events[events.length - 1]?.type, 'error');
  });
});

describe('Bedrock target configuration', () => {
  test('an application inference profile ARN is one encoded path segment, signed consistently', async () => {
    upstream.respond(jsonFixture('converse-text.json'));
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123';
    await adapter.chat(request(), { ...target(), upstreamModel: arn }, context());
    const captured = lastRequest();
    assert.equal(captured.url, '/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Aapplication-inference-profile%2Fabc123/converse');
    verifySignature(captured);
  });

  test('guardrail, performance and service-tier settings from config are sent verbatim', async () => {
    upstream.respond(streamFixture('stream-text.stream.json'));
    const guardrailConfig = { guardrailIdentifier: 'gr-rail-1', guardrailVersion: '3', trace: 'enabled', streamProcessingMode: 'async' };
    const options = { ...target().options, guardrailConfig, performanceConfig: { latency: 'optimized' }, serviceTier: { type: 'flex' }, requestMetadata: { tenant: 'acme' } };
    await collect(await adapter.streamChat(request({ stream: true }), { ...target(), options }, context()));
    const body = JSON.parse(lastRequest().body) as Record<string, unknown>;
    assert.deepEqual(body['guardrailConfig'], guardrailConfig);
    assert.deepEqual(body['performanceConfig'], { latency: 'optimized' });
    assert.deepEqual(body['serviceTier'], { type: 'flex' });
    assert.deepEqual(body['requestMetadata'], { tenant: 'acme' });
  });

  test('the region comes from the base URL when options.region is absent', async () => {
    const { readTargetConfig } = await import('./target-config.js');
    const config = readTargetConfig({ baseUrl: 'https://bedrock-runtime.eu-central-1.amazonaws.com/', upstreamModel: MODEL, options: CREDENTIALS });
    assert.equal(config.region, 'eu-central-1');
    assert.equal(config.baseUrl, 'https://bedrock-runtime.eu-central-1.amazonaws.com');
    const vpce = readTargetConfig({ baseUrl: 'https://vpce-0a1b2c.bedrock-runtime.ap-south-1.vpce.amazonaws.com', upstreamModel: MODEL, options: CREDENTIALS });
    assert.equal(vpce.region, 'ap-south-1');
  });

  test('a Bedrock API key is sent as a bearer token when no access keys are configured', async () => {
    upstream.respond(jsonFixture('converse-text.json'));
    await adapter.chat(request(), { baseUrl: upstream.url, upstreamModel: 'amazon.nova-lite-v1:0', apiKey: 'bedrock-api-key-1', options: { region: 'eu-west-1' } }, context());
    const captured = lastRequest();
    assert.equal(captured.headers['authorization'], 'Bearer bedrock-api-key-1');
    assert.equal(captured.headers['x-amz-date'], undefined);
  });

  test('missing credentials or region fail before any request is sent', async () => {
    const before = upstream.requests.length;
    await assert.rejects(adapter.chat(request(), { baseUrl: upstream.url, upstreamModel: MODEL, options: { region: 'us-east-1' } }, context()), /no credentials/);
    await assert.rejects(adapter.chat(request(), { baseUrl: upstream.url, upstreamModel: MODEL, options: CREDENTIALS }, context()), /needs options.region/);
    assert.equal(upstream.requests.length, before);
  });
});
