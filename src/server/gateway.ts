import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config/schema.js';
import type { Clock } from '../spec/clock.js';
import type { Surface } from '../spec/request.js';
import type { HttpTransport } from '../spec/transport.js';
import { GatewayError } from '../errors/gateway-error.js';
import { Fleet } from '../fleet/fleet.js';
import { routerFromConfig } from '../router/from-config.js';
import type { ModelRouter } from '../router/router.js';
import { createPolicy } from '../scheduler/registry.js';
import { createUndiciTransport, type UndiciTransport } from '../transport/undici-transport.js';
import { parseJsonObject, readBody } from '../api/http/read-body.js';
import { sendError, sendJson } from '../api/http/respond.js';
import { requestIdFrom } from '../api/http/request-id.js';
import type { Json } from '../api/http/fields.js';
import { handleChatCompletions, handleCompletions, handleEmbeddings, handleGetModel, handleListModels } from '../api/openai/handlers.js';
import { handleCountTokens, handleMessages } from '../api/anthropic/handlers.js';
import { assembleFleet } from './assemble.js';
import { Dispatcher } from './dispatch.js';
import type { GatewayHooks, ShutdownHook } from './lifecycle.js';
import { createLogger, type Logger } from './logger.js';
import { RequestCounters } from './gateway-metrics.js';
import { attachLive } from './live.js';
import type { LiveFleet } from '../fleet/live-fleet.js';
import type { Pipeline } from './pipeline.js';
import { RequestContext } from './request-context.js';

export interface GatewayOptions {
  config: Config;
  hooks?: GatewayHooks;
  logger?: Logger;
  clock?: Clock;
  /** Defaults to a pooled undici transport with the config's timeouts. */
  transport?: HttpTransport & { close?: () => Promise<void> };
}

/** A POST route: the body is read and parsed as JSON before the handler runs (validate). */
export type BodyHandler = (pipeline: Pipeline, context: RequestContext, body: Json, bodyBytes: number) => Promise<void> | void;
/** A GET route; `rest` is the path after the route's prefix (for `/v1/models/{id}`). */
export type GetHandler = (pipeline: Pipeline, context: RequestContext, rest: string) => Promise<void> | void;
/** A mounted sub-application (`/admin/`): every method, its own authentication, raw request and response. */
export type MountHandler = (context: RequestContext) => Promise<void> | void;

const WALL_CLOCK: Clock = { now: () => performance.now() };

/**
 * The gateway: config → fleet, router, policy, adapters, dispatcher; and the Node request listener.
 * Routes are a table keyed by method and path (no framework); other surfaces mount theirs with `post`.
 */
export class Gateway implements Pipeline {
  readonly config: Config;
  readonly fleet: Fleet;
  readonly router: ModelRouter;
  readonly dispatcher: Dispatcher;
  readonly hooks: GatewayHooks;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly sseKeepAliveMs: number;
  readonly shutdownHooks: ShutdownHook[] = [];
  readonly requestCounts = new RequestCounters();
  /** /metrics scrapers, KV event subscribers and health checks of self-hosted replicas (src/fleet). */
  readonly live: LiveFleet;
  readonly #transport: HttpTransport & { close?: () => Promise<void> };
  readonly #posts = new Map<string, { handler: BodyHandler; surface: Surface }>();
  readonly #gets = new Map<string, GetHandler>();
  readonly #getPrefixes: Array<[string, GetHandler]> = [];
  readonly #mounts: Array<[string, MountHandler]> = [];
  #inFlight = 0;
  #idle: (() => void) | undefined;

  constructor(options: GatewayOptions) {
    const { config } = options;
    this.config = config;
    this.clock = options.clock ?? WALL_CLOCK;
    this.logger = options.logger ?? createLogger(config.server.logLevel);
    this.sseKeepAliveMs = config.server.sseKeepAliveMs;
    this.hooks = this.requestCounts.wrap(options.hooks ?? {});
    const { specs, adapters } = assembleFleet(config);
    this.fleet = new Fleet(specs, config.health, this.clock);
    this.router = routerFromConfig(config);
    this.#transport = options.transport ?? createTransport(config);
    const policy = createPolicy(config.routing.policy, config.routing.seed === undefined ? {} : { seed: config.routing.seed });
    this.dispatcher = new Dispatcher(this.fleet, policy, adapters, this.#transport, this.clock, this.logger, config.routing);

    this.post('/v1/chat/completions', handleChatCompletions);
    this.post('/v1/completions', handleCompletions);
    this.post('/v1/embeddings', handleEmbeddings);
    this.post('/v1/messages', handleMessages, 'anthropic');
    this.post('/v1/messages/count_tokens', handleCountTokens, 'anthropic');
    this.get('/v1/models', (pipeline, context) => handleListModels(pipeline, context));
    this.get('/v1/models/', (pipeline, context, rest) => handleGetModel(pipeline, context, decodePath(rest)), true);
    this.get('/health', (_pipeline, context) => sendJson(context.response, 200, '{"status":"ok"}', context.headers));
    this.get('/ready', (_pipeline, context) => {
      const ready = this.fleet.anyHealthy();
      sendJson(context.response, ready ? 200 : 503, ready ? '{"status":"ready"}' : '{"status":"no healthy backend"}', context.headers);
    });
    this.live = attachLive(this);
  }

  /** Mounts a JSON POST route; `surface` decides the error envelope. */
  post(path: string, handler: BodyHandler, surface: Surface = 'openai'): void {
    this.#posts.set(path, { handler, surface });
  }

  get(path: string, handler: GetHandler, prefix = false): void {
    if (prefix) this.#getPrefixes.push([path, handler]);
    else this.#gets.set(path, handler);
  }

  /** Hands every request under `prefix` (any method) to `handler`, before API-key authentication. */
  mount(prefix: string, handler: MountHandler): void {
    this.#mounts.push([prefix, handler]);
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** The Node `request` listener. */
  readonly listener = (request: IncomingMessage, response: ServerResponse): void => {
    const url = request.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const id = requestIdFrom(request.headers['x-request-id']);
    const surface: Surface = path.startsWith('/v1/messages') ? 'anthropic' : 'openai';
    const context = new RequestContext(request, response, id, path, surface, this.clock.now());
    this.#inFlight++;
    this.#handle(context).then(
      () => this.#done(),
      (error: unknown) => {
        if (!GatewayError.isInstance(error)) this.logger.error('unhandled error', { requestId: id, error });
        if (!response.headersSent) {
          const rendered = sendError(response, error, surface, id, context.headers);
          if (rendered.status === 413) response.once('finish', () => request.socket.destroy());
        } else if (!response.writableEnded) response.end();
        this.#done();
      },
    );
  };

  async #handle(context: RequestContext): Promise<void> {
    const { request, info } = context;
    for (const [prefix, handler] of this.#mounts) if (info.path.startsWith(prefix)) return handler(context);
    if (request.method === 'POST') {
      const route = this.#posts.get(info.path);
      if (route === undefined) return this.#notFound(context, 'POST');
      if (route.surface !== info.surface) (info as { surface: Surface }).surface = route.surface;
      await this.#authenticate(context);
      // validate: body size, JSON, then the surface's own field checks inside the handler.
      const contentType = request.headers['content-type'];
      if (contentType !== undefined && contentType.startsWith('multipart/')) {
        request.resume();
        throw new GatewayError('unsupported_media_type', 'the body must be application/json');
      }
      const raw = await readBody(request, this.config.server.bodyLimitBytes);
      await route.handler(this, context, parseJsonObject(raw), raw.length);
      return;
    }
    if (request.method === 'GET' || request.method === 'HEAD') {
      const handler = this.#gets.get(info.path);
      if (handler !== undefined) {
        if (info.path.startsWith('/v1/')) await this.#authenticate(context);
        return handler(this, context, '');
      }
      for (const [prefix, prefixHandler] of this.#getPrefixes) {
        if (info.path.startsWith(prefix) && info.path.length > prefix.length) {
          await this.#authenticate(context);
          return prefixHandler(this, context, info.path.slice(prefix.length));
        }
      }
    }
    return this.#notFound(context, request.method ?? '');
  }

  async #authenticate(context: RequestContext): Promise<void> {
    if (this.hooks.authenticate === undefined) return;
    const result = await this.hooks.authenticate(context.info);
    if (result === undefined) return;
    if (result.principal !== undefined) context.principal = result.principal;
    if (result.headers !== undefined) Object.assign(context.headers, result.headers);
  }

  #notFound(context: RequestContext, method: string): void {
    context.request.resume();
    const path = context.info.path;
    const exists = this.#posts.has(path) || this.#gets.has(path) || this.#getPrefixes.some(([p]) => path.startsWith(p) && path.length > p.length);
    if (exists) throw new GatewayError('method_not_allowed', `${method} is not allowed on ${path}`);
    throw new GatewayError('not_found', `no route ${method} ${path.slice(0, 200)}`);
  }

  #done(): void {
    this.#inFlight--;
    if (this.#inFlight === 0) this.#idle?.();
  }

  /** Resolves when no request is in flight, or after `timeoutMs`. */
  drain(timeoutMs: number): Promise<boolean> {
    if (this.#inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#idle = undefined;
        resolve(false);
      }, timeoutMs);
      this.#idle = () => {
        clearTimeout(timer);
        this.#idle = undefined;
        resolve(true);
      };
    });
  }

  /** Runs shutdown hooks (ledger flush, …) and closes upstream connections. */
  async close(): Promise<void> {
    for (const hook of this.shutdownHooks) {
      try {
        await hook();
      } catch (error) {
        this.logger.error('shutdown hook failed', { error });
      }
    }
    await this.#transport.close?.();
  }
}

/** A path segment, percent-decoded; a malformed escape is the client's error, not ours. */
function decodePath(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new GatewayError('invalid_request', 'the path has a malformed percent-escape');
  }
}

function createTransport(config: Config): UndiciTransport {
  return createUndiciTransport({ timeouts: config.timeouts });
}
