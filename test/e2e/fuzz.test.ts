import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { request as undiciRequest, Agent } from 'undici';
import { Random } from '../../src/util/random.js';
import { startCannedUpstream } from '../support/canned-upstream.js';
import { startTestGateway } from '../support/gateway.js';

/**
 * Throws thousands of malformed bodies and raw HTTP at a running gateway (seeded, so a failure
 * reproduces). The upstream is healthy, so any 5xx would come from our own code. Bounded: a fixed
 * number of cases, each with its own deadline, so a hang fails the test instead of stalling it.
 */
const BODY_CASES = 2500;
const RAW_CASES = 200;
const DEADLINE_MS = 5000;

const VALUES: unknown[] = [
  null, true, false, 0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, '', 'x', 'rail', '\u0000', '\ud800', 'a'.repeat(5000), [], [null], {}, { a: 1 },
  [{ type: 'text', text: 'hi' }], [{ type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }], [{ type: 'image_url', image_url: 5 }],
  [{ type: 'input_audio' }], { __proto__: { polluted: true } }, 'auto', 'required', { type: 'function', function: {} },
];
const FIELDS = [
  'model', 'messages', 'stream', 'stream_options', 'tools', 'tool_choice', 'response_format', 'temperature', 'top_p', 'max_tokens',
  'max_completion_tokens', 'stop', 'seed', 'user', 'n', 'logprobs', 'parallel_tool_calls', 'reasoning_effort', '__proto__', 'constructor',
];
const ROLES = ['user', 'assistant', 'system', 'tool', 'developer', 'function', '', 7];
const PATHS = ['/v1/chat/completions', '/v1/completions', '/v1/embeddings', '/v1/models', '/v1/models/rail', '/v1/messages', '/health', '/', '/v1/chat/completions/', '/%', '/v1/models/%E0%A4%A'];

function pick<T>(random: Random, list: readonly T[]): T {
  return list[random.int(list.length)] as T;
}

function message(random: Random): unknown {
  const m: Record<string, unknown> = { role: pick(random, ROLES), content: random.next() < 0.5 ? 'hello' : pick(random, VALUES) };
  if (random.next() < 0.2) m.tool_calls = random.next() < 0.5 ? [{ id: 'c', type: 'function', function: { name: 'f', arguments: pick(random, ['{', '{}', 5, null]) } }] : pick(random, VALUES);
  if (random.next() < 0.2) m.tool_call_id = pick(random, VALUES);
  return m;
}

function body(random: Random): string {
  const kind = random.int(10);
  if (kind === 0) {
    const bytes = Buffer.alloc(random.int(200));
    for (let i = 0; i < bytes.length; i++) bytes[i] = random.int(256);
    return bytes.toString('latin1');
  }
  if (kind === 1) return '['.repeat(random.int(20000)) + ']'.repeat(random.int(3));
  if (kind === 3 && random.next() < 0.3) {
    // Deep but valid nesting inside a forwarded field: parses, and must not overflow re-serialisation.
    const depth = 1000 + random.int(100_000);
    return `{"model":"rail","messages":[{"role":"user","content":"hi"}],"metadata":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;
  }
  const object: Record<string, unknown> = { model: random.next() < 0.8 ? 'rail' : pick(random, VALUES), messages: [message(random)] };
  if (random.next() < 0.3) (object.messages as unknown[]).push(message(random));
  const mutations = random.int(4);
  for (let i = 0; i < mutations; i++) object[pick(random, FIELDS)] = pick(random, VALUES);
  if (random.next() < 0.3) object.stream = true;
  if (random.next() < 0.2) object.prompt = pick(random, ['hi', ...VALUES]);
  if (random.next() < 0.2) object.input = pick(random, ['hi', ...VALUES]);
  const text = JSON.stringify(object);
  return kind === 2 ? text.slice(0, random.int(text.length)) : text;
}

test('fuzz: malformed bodies never produce a 5xx, a crash or a hang', { timeout: 120_000 }, async () => {
  const upstream = await startCannedUpstream();
  const gw = await startTestGateway({
    server: { bodyLimitBytes: 256 * 1024 },
    backends: [{ name: 'pool', vendor: 'vllm', model: 'canned', replicas: [`${upstream.url}/v1`] }],
    models: [{ name: 'rail', backends: ['pool'] }],
  });
  const agent = new Agent({ connections: 16 });
  const random = new Random(20261122);
  const statuses = new Map<number, number>();
  try {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < BODY_CASES) {
        next++;
        const payload = body(random);
        const path = random.next() < 0.85 ? pick(random, PATHS.slice(0, 3)) : pick(random, PATHS);
        const headers: Record<string, string> = { 'content-type': pick(random, ['application/json', 'application/json', 'text/plain', 'multipart/form-data; boundary=x']) };
        if (random.next() < 0.1) headers['x-request-id'] = pick(random, ['ok-id', 'bad id with spaces', 'x'.repeat(500)]);
        if (random.next() < 0.1) headers['x-switchyard-tags'] = ','.repeat(random.int(100)) + 'a'.repeat(random.int(100));
        const response = await undiciRequest(`${gw.url}${path}`, {
          method: pick(random, ['POST', 'POST', 'POST', 'GET', 'PUT', 'DELETE']),
          headers,
          body: payload,
          dispatcher: agent,
          signal: AbortSignal.timeout(DEADLINE_MS),
        });
        await response.body.text();
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
        assert.ok(response.statusCode < 500, `status ${response.statusCode} for ${path} ${payload.slice(0, 300)}`);
        assert.ok(response.headers['x-request-id'] !== undefined, 'every answer carries x-request-id');
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    assert.ok((statuses.get(200) ?? 0) > 0 && (statuses.get(400) ?? 0) > 0, `status mix ${JSON.stringify([...statuses])}`);

    // Raw HTTP garbage: bad request lines, bad headers, lying content-lengths, oversized headers.
    const raws = [
      'GARBAGE\r\n\r\n',
      'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{"a"',
      'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!',
      'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nbroken\r\n0\r\n\r\n',
      `GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`,
      'GET /v1/models HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n',
      'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
      'GET / HTTP/9.9\r\n\r\n',
    ];
    for (let i = 0; i < RAW_CASES; i++) {
      const raw = i < raws.length ? (raws[i] as string) : mutateRaw(random, pick(random, raws));
      const reply = await rawExchange(gw.url, raw);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1] ?? '0');
      assert.ok(status < 500, `raw case ${i} answered ${status}: ${JSON.stringify(raw.slice(0, 120))}`);
    }

    const health = await fetch(`${gw.url}/health`);
    assert.equal(health.status, 200, 'still alive');
    assert.equal(gw.gateway.inFlight, 0, 'nothing left in flight');
  } finally {
    await agent.close();
    await gw.close();
    await upstream.close();
  }
});

function mutateRaw(random: Random, raw: string): string {
  const chars = [...raw];
  const edits = 1 + random.int(5);
  for (let i = 0; i < edits; i++) chars[random.int(chars.length)] = String.fromCharCode(random.int(256));
  return chars.join('');
}

/** Sends raw bytes and collects the reply until the server closes or a short quiet period passes. */
function rawExchange(base: string, raw: string): Promise<string> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let reply = '';
    const deadline = setTimeout(() => {
      socket.destroy();
      resolve(reply);
    }, 100);
    socket.on('data', (data) => {
      reply += data.toString('latin1');
      if (reply.includes('\r\n\r\n')) socket.destroy();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(deadline);
      resolve(reply);
    });
    socket.write(raw, (error) => {
      if (error) reject(error);
    });
  });
}
