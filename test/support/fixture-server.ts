import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';

/** One recorded upstream answer. `chunks` are written one by one (with `chunkDelayMs` between) to exercise stream parsing. */
export interface RecordedResponse {
  status: number;
  headers?: Record<string, string>;
  /** The whole body at once… */
  body?: string | Uint8Array;
  /** …or in chunks, as it came off the wire. */
  chunks?: Array<string | Uint8Array>;
  chunkDelayMs?: number;
  /** Destroy the socket after the chunks instead of ending the response (a mid-stream disconnect). */
  disconnect?: boolean;
}

export interface CapturedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface FixtureServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: CapturedRequest[];
  /** Answers for the next calls, in order; the last one repeats. */
  respond(...responses: RecordedResponse[]): void;
  close(): Promise<void>;
}

/**
 * A real HTTP server on an ephemeral loopback port that replays recorded upstream responses and captures
 * what it was sent. Adapter tests point a real transport at it, so the bytes go through a socket exactly
 * as they would from the provider.
 */
export async function startFixtureServer(): Promise<FixtureServer> {
  const requests: CapturedRequest[] = [];
  let queue: RecordedResponse[] = [{ status: 500, body: 'no fixture queued' }];
  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (chunk: Buffer) => parts.push(chunk));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(parts).toString('utf8') });
      const next = queue.length > 1 ? (queue.shift() as RecordedResponse) : (queue[0] as RecordedResponse);
      void replay(next, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respond: (...responses) => {
      queue = responses;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function replay(recorded: RecordedResponse, res: ServerResponse): Promise<void> {
  res.writeHead(recorded.status, recorded.headers ?? {});
  if (recorded.chunks === undefined) {
    if (recorded.disconnect === true) {
      res.socket?.destroy();
      return;
    }
    res.end(recorded.body ?? '');
    return;
  }
  for (const chunk of recorded.chunks) {
    if (res.destroyed) return;
    res.write(chunk);
    if (recorded.chunkDelayMs !== undefined) await new Promise((r) => setTimeout(r, recorded.chunkDelayMs));
  }
  if (recorded.disconnect === true) res.socket?.destroy();
  else res.end();
}

/**
 * Loads a fixture file relative to a test module: `loadFixture(import.meta.url, '__fixtures__/x.json')`.
 * `.chunks.txt` files hold raw stream bytes; split them into SSE events (blank-line separated) so the
 * server sends them as separate writes.
 */
export function loadFixture(base: string, path: string): string {
  return readFileSync(new URL(path, base), 'utf8');
}

export function sseChunks(raw: string): string[] {
  return raw
    .split(/(?<=\n\n)/)
    .filter((part) => part.length > 0);
}
