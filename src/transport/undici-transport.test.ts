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
