import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestGateway, waitForRecords } from '../../test/support/gateway.js';

/** An upstream that streams a chunk every 10 ms until the connection closes, and reports when it did. */
async function slowStreamingUpstream(): Promise<{ url: string; closed: () => number; close: () => Promise<void> }> {
  let closedCount = 0;
  const server = createServer((request, response) => {
    request.resume();
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    const head = '{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":';
    response.write(`data: ${head}{"role":"assistant","content":"tick"},"finish_reason":null}]}\n\n`);
    const timer = setInterval(() => response.write(`data: ${head}{"content":" tick"},"finish_reason":null}]}\n\n`), 10);
    response.on('close', () => {
      clearInterval(timer);
      closedCount++;
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    closed: () => closedCount,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

test('a client that disconnects aborts its upstream request at once', async () => {
  const upstream = await slowStreamingUpstream();
  const gw = await startTestGateway({ backends: [{ name: 'p', model: 'm', replicas: [`${upstream.url}/v1`] }], models: [{ name: 'm', backends: ['p'] }] });
  try {
    const controller = new AbortController();
    const response = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'go' }], stream: true }),
      signal: controller.signal,
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    controller.abort();
    for (let i = 0; i < 200 && upstream.closed() === 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(upstream.closed(), 1, 'upstream connection closed after the client left');
    await waitForRecords(gw.records, 1);
    assert.equal(gw.records[0]?.status, 499);
    assert.equal(gw.gateway.fleet.get('p-0')?.inFlight, 0, 'in-flight accounting released');
  } finally {
    await gw.close();
    await upstream.close();
  }
});

test('a client that leaves before a non-streaming answer arrives aborts the waiting upstream call', async () => {
  let closed = 0;
  let answered = 0;
  const upstream = createServer((request, response) => {
    request.resume();
    response.on('close', () => closed++);
    const timer = setTimeout(() => {
      answered++;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"id":"x","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"late"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}');
    }, 5_000);
    response.on('close', () => clearTimeout(timer));
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  const gw = await startTestGateway({ backends: [{ name: 'p', model: 'm', replicas: [`${url}/v1`] }], models: [{ name: 'm', backends: ['p'] }] });
  try {
    const controller = new AbortController();
    const pending = fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'go' }] }),
      signal: controller.signal,
    });
    for (let i = 0; i < 200 && gw.gateway.fleet.get('p-0')?.inFlight !== 1; i++) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    await assert.rejects(pending);
    for (let i = 0; i < 200 && closed === 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(closed, 1, 'the upstream connection was closed');
    assert.equal(answered, 0, 'before the upstream answered');
    await waitForRecords(gw.records, 1);
    assert.equal(gw.records[0]?.status, 499);
    assert.equal(gw.records[0]?.errorCode, 'client_closed');
    assert.equal(gw.gateway.fleet.get('p-0')?.inFlight, 0, 'in-flight accounting released');
  } finally {
    await gw.close();
    upstream.closeAllConnections();
    await new Promise<void>((r) => upstream.close(() => r()));
  }
});

test('graceful shutdown: stops accepting, lets in-flight finish, then runs shutdown hooks', async () => {
  const upstream = createServer((request, response) => {
    request.resume();
    setTimeout(() => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"id":"x","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"late"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}');
    }, 100);
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const { port } = upstream.address() as AddressInfo;
  const gw = await startTestGateway({ backends: [{ name: 'p', model: 'm', replicas: [`http://127.0.0.1:${port}/v1`] }], models: [{ name: 'm', backends: ['p'] }] });
  const flushed: string[] = [];
  gw.gateway.shutdownHooks.push(() => {
    flushed.push(`flushed with ${gw.records.length} records`);
  });
  try {
    const pending = fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', connection: 'close' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'go' }] }),
    });
    while (gw.gateway.inFlight === 0) await new Promise((r) => setTimeout(r, 2));
    const closing = gw.close();
    await assert.rejects(fetch(`${gw.url}/health`, { headers: { connection: 'close' } }));
    const response = await pending;
    assert.equal(response.status, 200);
    assert.match(await response.text(), /late/);
    await closing;
    assert.deepEqual(flushed, ['flushed with 1 records']);
  } finally {
    await new Promise<void>((r) => (upstream.closeAllConnections(), upstream.close(() => r())));
  }
});
