import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { SseWriter } from './sse-writer.js';

test('a client that does not read stops the writer (backpressure) instead of buffering everything', async () => {
  const frame = `data: ${'x'.repeat(1000)}\n\n`;
  let accepted = 0;
  let blockedAt = -1;
  const done = new Promise<void>((resolve) => {
    const server = createServer((_request, response) => {
      const writer = new SseWriter(response);
      writer.start({});
      void (async () => {
        for (let i = 0; i < 100_000; i++) {
          writer.write(frame);
          // Let the end-of-turn flush happen, then wait for the client if the writer says it is behind.
          await new Promise((r) => setImmediate(r));
          const pending = writer.blocked ?? Promise.resolve();
          const settled = await Promise.race([pending.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 200))]);
          if (!settled) {
            blockedAt = i;
            break;
          }
          accepted++;
        }
        response.destroy();
        server.close();
        resolve();
      })();
    });
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      const socket = connect(port, '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
      socket.pause(); // never read
      socket.on('error', () => undefined);
    });
  });
  await done;
  assert.ok(blockedAt >= 0, 'the writer blocked');
  assert.ok(accepted < 100_000, `accepted ${accepted} frames before blocking`);
});

test('keepAlive writes its frame only after the stream has been silent for the interval', async () => {
  const received: string[] = [];
  await new Promise<void>((resolve) => {
    const server = createServer((_request, response) => {
      const writer = new SseWriter(response);
      writer.start({});
      let beats = 0;
      writer.keepAlive(20, () => {
        beats++;
        return beats === 1 ? '' : ': ping\n\n'; // the first time nothing is due yet
      });
      writer.write('data: a\n\n');
      setTimeout(() => {
        writer.end('data: b\n\n');
        server.close();
      }, 150);
    });
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      const socket = connect(port, '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
      socket.on('data', (data: Buffer) => received.push(data.toString()));
      socket.on('end', () => resolve());
      socket.on('close', () => resolve());
    });
  });
  const body = received.join('');
  const a = body.indexOf('data: a');
  const ping = body.indexOf(': ping');
  const b = body.indexOf('data: b');
  assert.ok(a >= 0 && ping > a && b > ping, `a, then a ping, then b: ${JSON.stringify(body)}`);
});
