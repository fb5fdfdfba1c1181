import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
/**
 * A real HTTP server on an ephemeral loopback port that replays recorded upstream responses and captures
 * what it was sent. Adapter tests point a real transport at it, so the bytes go through a socket exactly
 * as they would from the provider.
 */
export async function startFixtureServer() {
    const requests = [];
    let queue = [{ status: 500, body: 'no fixture queued' }];
    const server = createServer((req, res) => {
        const parts = [];
        req.on('data', (chunk) => parts.push(chunk));
        req.on('end', () => {
            requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(parts).toString('utf8') });
            const next = queue.length > 1 ? queue.shift() : queue[0];
            void replay(next, res);
        });
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address();
    return {
        url: `http://127.0.0.1:${port}`,
        requests,
        respond: (...responses) => {
            queue = responses;
        },
        close: () => new Promise((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
        }),
    };
}
async function replay(recorded, res) {
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
        if (res.destroyed)
            return;
        res.write(chunk);
        if (recorded.chunkDelayMs !== undefined)
            await new Promise((r) => setTimeout(r, recorded.chunkDelayMs));
    }
    if (recorded.disconnect === true)
        res.socket?.destroy();
    else
        res.end();
}
/**
 * Loads a fixture file relative to a test module: `loadFixture(import.meta.url, '__fixtures__/x.json')`.
 * `.chunks.txt` files hold raw stream bytes; split them into SSE events (blank-line separated) so the
 * server sends them as separate writes.
 */
export function loadFixture(base, path) {
    return readFileSync(new URL(path, base), 'utf8');
}
export function sseChunks(raw) {
    return raw
        .split(/(?<=\n\n)/)
        .filter((part) => part.length > 0);
}
