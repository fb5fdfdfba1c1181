import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createUndiciTransport } from './undici-transport.js';
import { startFixtureServer } from '../../test/support/fixture-server.js';
import { UpstreamError } from '../errors/upstream-error.js';

test('reads a JSON body and streams chunks', async () => {
  const server = await startFixtureServer();
  const transport = createUndiciTransport();
  try {
    server.respond({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' });
    const response = await transport({ method: 'POST', url: `${server.url}/v1/x`, headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { ok: true });
    assert.equal(server.requests[0]?.body, '{"a":1}');

    server.respond({ status: 200, chunks: ['a', 'b', 'c'], chunkDelayMs: 5 });
    const streamed = await transport({ method: 'GET', url: server.url, headers: {} });
    let text = '';
    for await (const chunk of streamed.body) text += Buffer.from(chunk).toString();
    assert.equal(text, 'abc');
  } finally {
    await transport.close();
    await server.close();
  }
});

test('a refused connection is a retryable connect failure', async () => {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((r) => probe.close(() => r()));
  const transport = createUndiciTransport();
  try {
    await assert.rejects(
      transport({ method: 'GET', url: `http://127.0.0.1:${port}/`, headers: {} }),
      (error: unknown) => error instanceof UpstreamError && error.kind === 'connect' && error.retryable,
    );
  } finally {
    await transport.close();
  }
});

test('first-byte and chunk-gap timeouts', async () => {
  const server = await startFixtureServer();
  const transport = createUndiciTransport({ timeouts: { firstByteMs: 100, chunkGapMs: 100 } });
  const hang = createServer(() => {
    /* never answers */
  });
  await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
  try {
    const { port } = hang.address() as AddressInfo;
    await assert.rejects(
      transport({ method: 'GET', url: `http://127.0.0.1:${port}/`, headers: {} }),
      (error: unknown) => error instanceof UpstreamError && error.kind === 'timeout',
    );
    // undici checks body timeouts on a coarse (~1 s) timer, so the stall must outlast that.
    server.respond({ status: 200, chunks: ['a', 'b'], chunkDelayMs: 2500 });
    const response = await transport({ method: 'GET', url: server.url, headers: {} });
    await assert.rejects(
      (async () => {
        for await (const _ of response.body) {
          // drain
        }
      })(),
      (error: unknown) => error instanceof UpstreamError && error.kind === 'timeout',
    );
  } finally {
    hang.closeAllConnections();
    hang.close();
    await transport.close();
    await server.close();
  }
});

test('the caller aborting is passed through, not turned into an upstream error', async () => {
  const server = await startFixtureServer();
  const transport = createUndiciTransport();
  try {
    server.respond({ status: 200, chunks: ['a', 'b', 'c'], chunkDelayMs: 200 });
    const controller = new AbortController();
    const response = await transport({ method: 'GET', url: server.url, headers: {}, signal: controller.signal });
    const reason = new Error('client gone');
    setTimeout(() => controller.abort(reason), 50);
    await assert.rejects(
      (async () => {
        for await (const _ of response.body) {
          // drain
        }
      })(),
      (error: unknown) => error === reason,
    );
  } finally {
    await transport.close();
    await server.close();
  }
});

test('the total deadline aborts a slow call as a retryable timeout; a caller abort passes its reason through', async () => {
  const server = await startFixtureServer();
  const transport = createUndiciTransport({ timeouts: { totalMs: 60 } });
  try {
    server.respond({ status: 200, chunks: ['a', 'b', 'c', 'd', 'e', 'f'], chunkDelayMs: 40 });
    // Whether the deadline strikes before the headers or mid-body depends on the machine's load; either
    // way it must surface as a retryable timeout.
    const slowCall = async () => (await transport({ method: 'GET', url: server.url, headers: {} })).text();
    await assert.rejects(slowCall(), (error: unknown) => error instanceof UpstreamError && error.kind === 'timeout' && error.retryable);
    server.respond({ status: 200, chunks: ['a', 'b', 'c'], chunkDelayMs: 40 });
    const caller = new AbortController();
    const reason = new Error('client gone');
    const pending = transport({ method: 'GET', url: server.url, headers: {}, signal: caller.signal });
    caller.abort(reason);
    await assert.rejects(pending, (error: unknown) => error === reason);
  } finally {
    await transport.close();
    await server.close();
  }
});

test('a slow reader pauses the upstream: a large body arrives whole, in order, without being buffered at once', async () => {
  // 64 chunks of 64 KiB, each filled with its own index: 4 MiB, well past the transport's high-water mark.
  const chunks = Array.from({ length: 64 }, (_, i) => Buffer.alloc(64 * 1024, i));
  const upstream = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/octet-stream' });
    let i = 0;
    const pump = (): void => {
      while (i < chunks.length) if (!response.write(chunks[i++])) return void response.once('drain', pump);
      response.end();
    };
    pump();
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const transport = createUndiciTransport();
  try {
    const { port } = upstream.address() as AddressInfo;
    const response = await transport({ method: 'GET', url: `http://127.0.0.1:${port}/big`, headers: {} });
    const received: Buffer[] = [];
    let reads = 0;
    for await (const chunk of response.body) {
      received.push(Buffer.from(chunk));
      // Read slowly at first, so the transport must hold the upstream back instead of queueing 4 MiB.
      if (reads++ < 20) await new Promise((r) => setTimeout(r, 2));
    }
    const body = Buffer.concat(received);
    assert.equal(body.length, 64 * 64 * 1024);
    for (let i = 0; i < 64; i++) assert.equal(body[i * 64 * 1024 + 100], i, `chunk ${i} in place`);
  } finally {
    await transport.close();
    upstream.closeAllConnections();
    upstream.close();
  }
});

test('text() joins a multi-byte character split across chunks', async () => {
  const server = await startFixtureServer();
  const transport = createUndiciTransport();
  try {
    const euro = Buffer.from('€', 'utf8'); // 3 bytes
    server.respond({ status: 200, chunks: [Buffer.concat([Buffer.from('price: '), euro.subarray(0, 2)]), Buffer.concat([euro.subarray(2), Buffer.from('5')])], chunkDelayMs: 10 });
    const response = await transport({ method: 'GET', url: server.url, headers: {} });
    assert.equal(await response.text(), 'price: €5');
  } finally {
    await transport.close();
    await server.close();
  }
});

test('a consumer that stops reading early leaves without an error, and the next call still works', async () => {
  const server = await startFixtureServer();
  const transport = createUndiciTransport();
  try {
    server.respond({ status: 200, chunks: ['a', 'b', 'c', 'd'], chunkDelayMs: 30 }, { status: 200, body: 'next' });
    const response = await transport({ method: 'GET', url: server.url, headers: {} });
    for await (const chunk of response.body) {
      assert.equal(Buffer.from(chunk).toString(), 'a');
      break;
    }
    const next = await transport({ method: 'GET', url: server.url, headers: {} });
    assert.equal(await next.text(), 'next');
  } finally {
    await transport.close();
    await server.close();
  }
});

test('a call waiting for a free connection is aborted at once when its caller leaves', async () => {
  const server = await startFixtureServer();
  const transport = createUndiciTransport({ connections: 1 });
  try {
    server.respond({ status: 200, chunks: ['a', 'b'], chunkDelayMs: 300 }, { status: 200, body: 'later' });
    const first = await transport({ method: 'GET', url: server.url, headers: {} });
    const caller = new AbortController();
    const queued = transport({ method: 'GET', url: server.url, headers: {}, signal: caller.signal });
    let firstDone = false;
    const firstText = first.text().then((text) => {
      firstDone = true;
      return text;
    });
    const reason = new Error('client gone');
    caller.abort(reason);
    await assert.rejects(queued, (error: unknown) => error === reason);
    assert.equal(firstDone, false, 'rejected without waiting for the busy connection to free up');
    assert.equal(await firstText, 'ab');
  } finally {
    await transport.close();
    await server.close();
  }
});
