import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startFixtureServer, loadFixture, sseChunks, type FixtureServer } from '../../test/support/fixture-server.js';
import { startTestGateway, waitForRecords, type TestGateway } from '../../test/support/gateway.js';
import { GatewayError } from '../errors/gateway-error.js';

const fixture = (name: string): string => loadFixture(new URL('../providers/openai-compatible/', import.meta.url).href, `__fixtures__/${name}`);
const json = { 'content-type': 'application/json' };
const sse = { 'content-type': 'text/event-stream' };

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

const hello = { model: 'rail', messages: [{ role: 'user', content: 'hi' }] };
/** Fixture servers replay their queued answers to any path: keep the gateway's live monitors off them. */
const NO_LIVE = { metrics: { enabled: false }, kvEvents: { enabled: false }, health: { enabled: false } };

describe('gateway over fixture upstreams', () => {
  let a: FixtureServer;
  let b: FixtureServer;
  let c: FixtureServer;
  let gw: TestGateway;

  before(async () => {
    [a, b, c] = await Promise.all([startFixtureServer(), startFixtureServer(), startFixtureServer()]);
    gw = await startTestGateway({
      routing: { policy: 'round-robin', maxAttempts: 4, maxRetryAfterMs: 50 },
      health: { failureThreshold: 2, cooldownMs: 60_000 },
      server: { bodyLimitBytes: 64 * 1024 },
      backends: [
        { name: 'pool-a', vendor: 'vllm', model: 'llama', replicas: [{ id: 'a0', url: `${a.url}/v1` }], hardware: 'l4', usdPerHour: 0.8, watts: 72, ...NO_LIVE },
        { name: 'pool-b', vendor: 'vllm', model: 'llama', replicas: [{ id: 'b0', url: `${b.url}/v1` }], hardware: 'h100-sxm', usdPerHour: 4, watts: 700, ...NO_LIVE },
        { name: 'pool-c', vendor: 'vllm', model: 'qwen', replicas: [{ id: 'c0', url: `${c.url}/v1` }] },
      ],
      models: [
        { name: 'rail', aliases: ['rail-alias'], backends: ['pool-a', 'pool-b'], fallbacks: ['backup'] },
        { name: 'backup', backends: ['pool-c'] },
        { name: 'only-a', backends: ['pool-a'] },
      ],
    });
  });
  after(async () => {
    await gw.close();
    await Promise.all([a.close(), b.close(), c.close()]);
  });
  beforeEach(() => {
    for (const server of [a, b, c]) server.respond({ status: 200, headers: json, body: fixture('chat-basic.json') });
    gw.records.length = 0;
    for (const replica of gw.gateway.fleet.all()) replica.breaker.onSuccess();
  });

  test('chat completion: OpenAI shape, request id and route headers, one ledger record', async () => {
    const response = await post(`${gw.url}/v1/chat/completions`, hello, { 'x-request-id': 'client-id-1', 'x-switchyard-tags': 'team=search, canary' });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-request-id'), 'client-id-1');
    assert.match(response.headers.get('x-switchyard-route') ?? '', /^pool-[ab]\/[ab]0$/);
    assert.match(response.headers.get('x-switchyard-overhead-ms') ?? '', /^\d+\.\d\d$/);
    const body = (await response.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test reads an untyped body
    assert.equal(body.object, 'chat.completion');
    assert.equal(body.model, 'rail');
    assert.equal(body.choices[0].message.content, 'Rails carry trains; gateways carry tokens.');
    assert.equal(body.choices[0].finish_reason, 'stop');
    assert.deepEqual(body.usage, { prompt_tokens: 19, completion_tokens: 9, total_tokens: 28, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } });
    await waitForRecords(gw.records, 1);
    const record = gw.records[0];
    assert.equal(record?.status, 200);
    assert.deepEqual(record?.tags, ['team=search', 'canary']);
    assert.equal(record?.usage.inputTokens, 19);
    assert.ok(record?.hardware === 'l4' || record?.hardware === 'h100-sxm');
  });

  test('stream with include_usage: chunks, usage chunk with cached tokens and choices [], [DONE]', async () => {
    for (const server of [a, b]) server.respond({ status: 200, headers: sse, chunks: sseChunks(fixture('vllm-stream-cached.chunks.txt')) });
    const response = await post(`${gw.url}/v1/chat/completions`, { ...hello, stream: true, stream_options: { include_usage: true } });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/event-stream/);
    const text = await response.text();
    const frames = text.split('\n\n').filter(Boolean);
    assert.equal(frames.at(-1), 'data: [DONE]');
    const chunks = frames.slice(0, -1).map((f) => JSON.parse(f.slice(6)) as Record<string, any>); // eslint-disable-line @typescript-eslint/no-explicit-any -- untyped wire chunks
    assert.deepEqual(chunks[0]?.choices[0].delta, { role: 'assistant', content: '' });
    assert.equal(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join(''), 'All aboard!');
    const last = chunks.at(-1);
    assert.deepEqual(last?.choices, []);
    assert.deepEqual(last?.usage, { prompt_tokens: 530, completion_tokens: 3, total_tokens: 533, prompt_tokens_details: { cached_tokens: 512 } });
    assert.ok(chunks.slice(0, -1).every((c) => c.usage === null), 'other chunks carry usage: null');
    const streamed = [...a.requests, ...b.requests].filter((r) => r.body.includes('"stream":true'));
    assert.deepEqual((JSON.parse(streamed.at(-1)?.body ?? '{}') as Record<string, unknown>).stream_options, { include_usage: true });
  });

  test('stream without include_usage: no usage chunk reaches the client, but the ledger has it', async () => {
    for (const server of [a, b]) server.respond({ status: 200, headers: sse, chunks: sseChunks(fixture('chat-stream.chunks.txt')) });
    const response = await post(`${gw.url}/v1/chat/completions`, { ...hello, stream: true });
    const text = await response.text();
    assert.ok(!text.includes('"usage"'), 'no usage field at all');
    await waitForRecords(gw.records, 1);
    assert.equal(gw.records[0]?.usage.cachedInputTokens, 1280);
    const upstream = [...a.requests, ...b.requests].filter((r) => r.body.includes('"stream":true')).at(-1);
    assert.deepEqual((JSON.parse(upstream?.body ?? '{}') as Record<string, unknown>).stream_options, { include_usage: true });
  });

  test('streamed tool calls are re-emitted by index', async () => {
    for (const server of [a, b]) server.respond({ status: 200, headers: sse, chunks: sseChunks(fixture('chat-tools-stream.chunks.txt')) });
    const text = await (await post(`${gw.url}/v1/chat/completions`, { ...hello, stream: true })).text();
    const chunks = text.split('\n\n').filter((f) => f.startsWith('data: {')).map((f) => JSON.parse(f.slice(6)) as Record<string, any>); // eslint-disable-line @typescript-eslint/no-explicit-any -- untyped
    const calls = chunks.flatMap((c) => c.choices[0]?.delta?.tool_calls ?? []);
    assert.equal(calls[0].id, 'call_sw1tchyardC');
    assert.equal(calls[0].function.name, 'get_departures');
    const args1 = calls.filter((t: { index: number }) => t.index === 1).map((t: { function: { arguments: string } }) => t.function.arguments).join('');
    assert.deepEqual(JSON.parse(args1), { city: 'Bern' });
    assert.equal(chunks.at(-1)?.choices[0].finish_reason, 'tool_calls');
  });

  test('an upstream that reports no usage: counted by our tokenizer, marked estimated, in JSON and streams', async () => {
    const noUsage = '{"id":"x","object":"chat.completion","created":1,"model":"llama","choices":[{"index":0,"message":{"role":"assistant","content":"two words"},"finish_reason":"stop"}]}';
    for (const server of [a, b]) server.respond({ status: 200, headers: json, body: noUsage });
    const body = (await (await post(`${gw.url}/v1/chat/completions`, hello)).json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
    assert.ok(body.usage.prompt_tokens > 0);
    assert.equal(body.usage.completion_tokens, 2);
    const chunks = sseChunks(fixture('chat-stream.chunks.txt')).filter((c) => !c.includes('"usage":{'));
    for (const server of [a, b]) server.respond({ status: 200, headers: sse, chunks });
    const text = await (await post(`${gw.url}/v1/chat/completions`, { ...hello, stream: true, stream_options: { include_usage: true } })).text();
    assert.match(text, /"choices":\[\],"usage":\{"prompt_tokens":\d+,"completion_tokens":\d+/);
    await waitForRecords(gw.records, 2);
    assert.ok(gw.records.every((r) => r.usage.estimated === true && (r.usage.outputTokens ?? 0) > 0));
    assert.equal(gw.records[0]?.usage.cachedInputTokens, undefined, 'unknown stays unknown');
  });

  test('unknown model → 404 model_not_found; alias resolves', async () => {
    const missing = await post(`${gw.url}/v1/chat/completions`, { ...hello, model: 'nope' });
    assert.equal(missing.status, 404);
    assert.deepEqual(((await missing.json()) as { error: { code: string; param: string } }).error.code, 'model_not_found');
    const alias = await post(`${gw.url}/v1/chat/completions`, { ...hello, model: 'rail-alias' });
    assert.equal(alias.status, 200);
  });

  test('malformed JSON and wrong fields → 400 naming the problem', async () => {
    const bad = await post(`${gw.url}/v1/chat/completions`, '{"model": ');
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: { code: string } }).error.code, 'invalid_json');
    const wrong = await post(`${gw.url}/v1/chat/completions`, { model: 'rail', messages: [{ role: 'user', content: 5 }] });
    assert.equal(wrong.status, 400);
    const error = ((await wrong.json()) as { error: { param: string; message: string } }).error;
    assert.equal(error.param, 'messages[0].content');
  });

  test('body over the limit → 413 without reading it all', async () => {
    const response = await post(`${gw.url}/v1/chat/completions`, 'x'.repeat(200 * 1024));
    assert.equal(response.status, 413);
  });

  test('a 503 on one replica is retried on the other pool; the breaker hears it', async () => {
    a.respond({ status: 503, headers: json, body: fixture('vllm-error-500.json') });
    b.respond({ status: 503, headers: json, body: fixture('vllm-error-500.json') });
    c.respond({ status: 200, headers: json, body: fixture('chat-basic.json') });
    const response = await post(`${gw.url}/v1/chat/completions`, hello);
    assert.equal(response.status, 200, 'both pools failed, fallback model served');
    assert.equal(response.headers.get('x-switchyard-route'), 'pool-c/c0');
    await waitForRecords(gw.records, 1);
    assert.equal(gw.records[0]?.servedModel, 'backup');
    assert.equal(gw.records[0]?.attempts, 3);
  });

  test('retry on another replica of the same model before falling back', async () => {
    a.respond({ status: 500, headers: json, body: fixture('vllm-error-500.json') });
    b.respond({ status: 200, headers: json, body: fixture('chat-basic.json') });
    for (let i = 0; i < 2; i++) {
      const response = await post(`${gw.url}/v1/chat/completions`, hello);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('x-switchyard-route'), 'pool-b/b0');
    }
  });

  test('consecutive failures open the breaker: the replica is skipped', async () => {
    a.respond({ status: 500, headers: json, body: fixture('vllm-error-500.json') });
    const before = a.requests.length;
    for (let i = 0; i < 6; i++) await (await post(`${gw.url}/v1/chat/completions`, hello)).text();
    assert.ok(a.requests.length - before <= 2, `a got ${a.requests.length - before} requests after opening`);
    assert.equal(gw.gateway.fleet.get('a0')?.breaker.state, 'open');
  });

  test('all fail with a retryable error → 5xx (never 200), last upstream error', async () => {
    for (const server of [a, b, c]) server.respond({ status: 502, headers: json, body: fixture('vllm-error-500.json') });
    const response = await post(`${gw.url}/v1/chat/completions`, hello);
    assert.equal(response.status, 502);
    assert.equal(((await response.json()) as { error: { type: string } }).error.type, 'server_error');
  });

  test('upstream 400 is the client’s fault: not retried, answered 400 with the upstream message', async () => {
    a.respond({ status: 400, headers: json, body: fixture('error-400.json') });
    b.respond({ status: 400, headers: json, body: fixture('error-400.json') });
    const before = a.requests.length + b.requests.length;
    const response = await post(`${gw.url}/v1/chat/completions`, hello);
    assert.equal(response.status, 400);
    assert.match(response.headers.get('x-switchyard-route') ?? '', /^pool-[ab]\/[ab]0$/, 'the failing replica is named');
    const error = ((await response.json()) as { error: { param: string; message: string } }).error;
    assert.equal(error.param, 'temperature');
    assert.equal(a.requests.length + b.requests.length - before, 1);
  });

  test('429 with retry-after pauses the replica and waits out a short wait', async () => {
    const only = gw.gateway.fleet.get('a0');
    a.respond(
      { status: 429, headers: { ...json, 'retry-after-ms': '20' }, body: fixture('error-429.json') },
      { status: 200, headers: json, body: fixture('chat-basic.json') },
    );
    const response = await post(`${gw.url}/v1/chat/completions`, { ...hello, model: 'only-a' });
    assert.equal(response.status, 200);
    assert.notEqual(only, undefined);
  });

  test('a stream whose first event is an error is retried elsewhere', async () => {
    const errorFirst = ['data: {"error":{"message":"engine crashed","type":"InternalServerError","code":500}}\n\n'];
    a.respond({ status: 200, headers: sse, chunks: errorFirst });
    b.respond({ status: 200, headers: sse, chunks: errorFirst });
    c.respond({ status: 200, headers: sse, chunks: sseChunks(fixture('chat-stream.chunks.txt')) });
    const response = await post(`${gw.url}/v1/chat/completions`, { ...hello, stream: true });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-switchyard-route'), 'pool-c/c0');
    assert.match(await response.text(), /Signal/);
  });

  test('a failure after streaming began ends the stream with an error frame, no retry', async () => {
    const chunks = sseChunks(fixture('chat-stream.chunks.txt')).slice(0, 3);
    for (const server of [a, b]) server.respond({ status: 200, headers: sse, chunks, chunkDelayMs: 5, disconnect: true });
    const before = c.requests.length;
    const response = await post(`${gw.url}/v1/chat/completions`, { ...hello, stream: true });
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.match(text, /data: \{"error":\{/);
    assert.ok(!text.includes('[DONE]'));
    assert.equal(c.requests.length, before, 'no fallback after the first byte');
    await waitForRecords(gw.records, 1);
    assert.equal(gw.records[0]?.errorCode, 'upstream_error');
  });

  test('models, health, ready, 404 and 405', async () => {
    const list = (await (await fetch(`${gw.url}/v1/models`)).json()) as { object: string; data: Array<{ id: string }> };
    assert.equal(list.object, 'list');
    assert.deepEqual(list.data.map((m) => m.id), ['rail', 'rail-alias', 'backup', 'only-a']);
    const one = await fetch(`${gw.url}/v1/models/rail-alias`);
    assert.equal(((await one.json()) as { id: string }).id, 'rail-alias');
    assert.equal((await fetch(`${gw.url}/v1/models/none`)).status, 404);
    assert.equal((await fetch(`${gw.url}/health`)).status, 200);
    assert.equal((await fetch(`${gw.url}/ready`)).status, 200);
    assert.equal((await fetch(`${gw.url}/v2/nothing`)).status, 404);
    assert.equal((await fetch(`${gw.url}/v1/chat/completions`)).status, 405);
  });

  test('completions and embeddings pass through', async () => {
    for (const server of [a, b]) {
      server.respond({
        status: 200,
        headers: json,
        body: '{"id":"cmpl-1","object":"text_completion","created":1,"model":"llama","choices":[{"index":0,"text":" yard","logprobs":null,"finish_reason":"length"}],"usage":{"prompt_tokens":2,"completion_tokens":1,"total_tokens":3}}',
      });
    }
    const completion = (await (await post(`${gw.url}/v1/completions`, { model: 'rail', prompt: 'switch', max_tokens: 1 })).json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- untyped
    assert.equal(completion.object, 'text_completion');
    assert.equal(completion.choices[0].text, ' yard');
    for (const server of [a, b]) {
      server.respond({ status: 200, headers: json, body: '{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,0.2]}],"model":"e5","usage":{"prompt_tokens":3,"total_tokens":3}}' });
    }
    const embedding = (await (await post(`${gw.url}/v1/embeddings`, { model: 'rail', input: 'switch' })).json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- untyped
    assert.deepEqual(embedding.data[0].embedding, [0.1, 0.2]);
    assert.equal(embedding.usage.prompt_tokens, 3);
  });
});

test('authenticate and admit hooks can reject and add headers', async () => {
  const upstream = await startFixtureServer();
  upstream.respond({ status: 200, headers: json, body: fixture('chat-basic.json') });
  const gw = await startTestGateway(
    { backends: [{ name: 'p', model: 'm', replicas: [`${upstream.url}/v1`] }], models: [{ name: 'm', backends: ['p'] }] },
    {
      authenticate: (info) => {
        if (info.headers.authorization !== 'Bearer good') throw new GatewayError('invalid_api_key', 'bad key');
        return { principal: { tenant: 't1', keyId: 'k1' }, headers: { 'x-ratelimit-limit-requests': '100' } };
      },
      admit: (_info, admission) => {
        if (admission.maxOutputTokens > 1000) throw new GatewayError('token_limit_exceeded', 'too many tokens', { retryAfterMs: 3000 });
        return { headers: { 'x-ratelimit-remaining-tokens': '42' } };
      },
    },
  );
  try {
    const denied = await post(`${gw.url}/v1/chat/completions`, { model: 'm', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(denied.status, 401);
    const limited = await post(`${gw.url}/v1/chat/completions`, { model: 'm', messages: [{ role: 'user', content: 'x' }], max_tokens: 5000 }, { authorization: 'Bearer good' });
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '3');
    const ok = await post(`${gw.url}/v1/chat/completions`, { model: 'm', messages: [{ role: 'user', content: 'x' }], max_tokens: 5 }, { authorization: 'Bearer good' });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('x-ratelimit-limit-requests'), '100');
    assert.equal(ok.headers.get('x-ratelimit-remaining-tokens'), '42');
    await waitForRecords(gw.records, 2);
    assert.deepEqual(gw.records.at(-1)?.principal, { tenant: 't1', keyId: 'k1' });
  } finally {
    await gw.close();
    await upstream.close();
  }
});

test('server.metricsToken: GET /metrics needs the bearer token; without one it is open', async () => {
  const upstream = await startFixtureServer();
  const backends = [{ name: 'pool', vendor: 'vllm', model: 'llama', replicas: [`${upstream.url}/v1`], ...NO_LIVE }];
  const models = [{ name: 'rail', backends: ['pool'] }];
  const locked = await startTestGateway({ server: { metricsToken: 'scrape-token-0123456789' }, backends, models });
  const open = await startTestGateway({ backends, models });
  try {
    for (const authorization of [undefined, 'Bearer wrong-token-0123456789', 'scrape-token-0123456789']) {
      const response = await fetch(`${locked.url}/metrics`, { headers: authorization === undefined ? {} : { authorization } });
      assert.equal(response.status, 401, String(authorization));
      const body = (await response.json()) as { error: { code: string } };
      assert.equal(body.error.code, 'metrics_unauthorized');
    }
    const scraped = await fetch(`${locked.url}/metrics`, { headers: { authorization: 'Bearer scrape-token-0123456789' } });
    assert.equal(scraped.status, 200);
    assert.match(await scraped.text(), /switchyard_requests/);
    assert.equal((await fetch(`${open.url}/metrics`)).status, 200);
  } finally {
    await locked.close();
    await open.close();
    await upstream.close();
  }
});
