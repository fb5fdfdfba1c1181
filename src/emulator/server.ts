import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { serveGeneration } from './generate.js';
import { HttpError } from './http-error.js';
import { readJson, sendError, sendJson, sendText } from './http-util.js';
import type { Replica } from './replica.js';
import { parseChatRequest, parseCompletionRequest } from './request-parse.js';
import { tokenizeRoute } from './tokenize-route.js';

/**
 * The replica's HTTP surface, as vLLM's OpenAI-compatible server lays it out:
 *   POST /v1/chat/completions, POST /v1/completions, GET /v1/models, GET /health, GET /metrics,
 * vLLM's POST /tokenize, plus GET /kv-events (KV events over SSE, see kv-events.ts) and GET /info (what
 * this replica emulates).
 * Unknown paths answer FastAPI's `{"detail":"Not Found"}`, as vLLM does.
 */
const ROUTES: Record<string, string> = {
  '/v1/chat/completions': 'POST',
  '/v1/completions': 'POST',
  '/v1/models': 'GET',
  '/health': 'GET',
  '/metrics': 'GET',
  '/kv-events': 'GET',
  '/info': 'GET',
  '/tokenize': 'POST',
  '/reset_prefix_cache': 'POST',
};

export function createReplicaServer(replica: Replica): Server {
  const server = createServer((req, res) => {
    handle(replica, req, res).catch((error: unknown) => {
      if (error instanceof HttpError) {
        sendError(res, error);
        return;
      }
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      sendError(res, new HttpError(500, `internal error in the engine emulator: ${message}`));
    });
  });
  // Streams can be long at low --speed; do not cut them.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 5_000;
  return server;
}

async function handle(replica: Replica, req: IncomingMessage, res: ServerResponse): Promise<void> {
  await replica.ready();
  const url = new URL(req.url ?? '/', 'http://emulator');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const method = ROUTES[path];
  if (method === undefined) {
    sendJson(res, 404, { detail: 'Not Found' });
    return;
  }
  if (req.method !== method && !(method === 'GET' && req.method === 'HEAD')) {
    sendJson(res, 405, { detail: 'Method Not Allowed' }, { allow: method });
    return;
  }
  switch (path) {
    case '/health':
      res.writeHead(200, { 'content-length': '0' });
      res.end();
      return;
    case '/metrics':
      sendText(res, 200, replica.metrics.render(), 'text/plain; version=0.0.4; charset=utf-8');
      return;
    case '/v1/models':
      sendJson(res, 200, models(replica));
      return;
    case '/info':
      sendJson(res, 200, info(replica));
      return;
    case '/kv-events': {
      const since = url.searchParams.get('since') ?? req.headers['last-event-id'];
      const n = typeof since === 'string' && since !== '' ? Number(since) : undefined;
      if (n !== undefined && !Number.isSafeInteger(n)) throw new HttpError(400, '`since` must be an integer sequence number', { param: 'since' });
      replica.kv.subscribe(res, n);
      return;
    }
    case '/reset_prefix_cache': {
      // vLLM answers 200 either way (and logs the refusal); the header says which it was, for tests and
      // operators. The body is ignored, as vLLM ignores it.
      req.resume();
      const reset = replica.resetPrefixCache();
      res.writeHead(200, { 'content-length': '0', 'x-switchyard-prefix-cache-reset': String(reset) });
      res.end();
      return;
    }
    case '/tokenize':
      sendJson(res, 200, tokenizeRoute(replica, await readJson(req)));
      return;
    case '/v1/chat/completions':
      await serveGeneration(replica, parseChatRequest(await readJson(req)), res);
      return;
    case '/v1/completions':
      await serveGeneration(replica, parseCompletionRequest(await readJson(req)), res);
      return;
    default:
      sendJson(res, 404, { detail: 'Not Found' });
  }
}

function models(replica: Replica): Record<string, unknown> {
  const spec = replica.engine.spec;
  return {
    object: 'list',
    data: replica.servedModelNames.map((name) => ({
      id: name,
      object: 'model',
      created: replica.createdUnix,
      owned_by: 'switchyard',
      root: spec.model.id,
      parent: null,
      max_model_len: spec.model.maxContextTokens,
    })),
  };
}

function info(replica: Replica): Record<string, unknown> {
  const spec = replica.engine.spec;
  const state = replica.state();
  return {
    id: replica.id,
    pool: replica.pool,
    hardware: spec.hardware.id,
    model: spec.model.id,
    tensorParallel: spec.tensorParallel,
    servedModelNames: replica.servedModelNames,
    speed: replica.pacer.speed,
    blockSize: spec.engine.blockSize,
    kvBlocksTotal: state.kvBlocksTotal,
    maxModelLen: spec.model.maxContextTokens,
    faults: replica.faults.options,
  };
}
