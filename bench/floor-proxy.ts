/**
 * The floor for bench/gateway.ts: the least a Node proxy can do — read the body, forward it with a
 * keep-alive undici Pool, copy the answer back (streams piped). What the gateway costs above this is the
 * price of parsing, routing, accounting and re-rendering; what this costs above "direct" is Node's
 * HTTP stack on this machine. Usage: node --import tsx bench/floor-proxy.ts UPSTREAM_URL → prints its URL.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';

const pool = new Pool(process.argv[2] ?? 'http://127.0.0.1:8000', { connections: 256 });
const server = createServer((request, response) => {
  const parts: Buffer[] = [];
  request.on('data', (part: Buffer) => parts.push(part));
  request.on('end', () => {
    pool
      .request({ method: 'POST', path: `/v1${request.url ?? ''}`, headers: { 'content-type': 'application/json' }, body: Buffer.concat(parts) })
      .then(async (upstream) => {
        response.writeHead(upstream.statusCode, { 'content-type': String(upstream.headers['content-type'] ?? 'application/json') });
        for await (const chunk of upstream.body) response.write(chunk);
        response.end();
      })
      .catch(() => {
        response.writeHead(502);
        response.end();
      });
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}\n`));
