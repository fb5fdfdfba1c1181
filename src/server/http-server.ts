import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Gateway } from './gateway.js';

export interface RunningServer {
  server: Server;
  url: string;
  /** Graceful stop: stop accepting, drain in-flight requests (up to the grace period), run shutdown hooks, close. */
  close(): Promise<void>;
}

/**
 * Binds the gateway's listener to a node:http server. Keep-alive and header timeouts are set so idle
 * clients cannot pin sockets forever, and a slow-loris header trickle is cut off.
 */
export async function listen(gateway: Gateway, host: string, port: number): Promise<RunningServer> {
  const server = createServer({ keepAliveTimeout: 65_000, headersTimeout: 30_000, requestTimeout: 120_000 }, gateway.listener);
  server.on('clientError', (error, socket) => {
    // Malformed HTTP (bad request line, oversized headers): answer 400 if the socket still can, never crash.
    if (socket.writable && !(error as { code?: string }).code?.startsWith('ECONNRESET')) {
      socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    } else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    server,
    url: `http://${shownHost}:${address.port}`,
    close: () =>
      (closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const drained = await gateway.drain(gateway.config.server.shutdownGraceMs);
        if (!drained) gateway.logger.warn('shutdown grace period over; closing remaining connections', { inFlight: gateway.inFlight });
        server.closeAllConnections();
        await closed;
        await gateway.close();
      })()),
  };
}
