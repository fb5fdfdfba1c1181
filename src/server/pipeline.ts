import type { CallContext, ProviderAdapter, UpstreamTarget } from '../spec/adapter.js';
import type { Clock } from '../spec/clock.js';
import type { RequestFeatures } from '../spec/routing.js';
import type { EventBatches, StreamRenderer } from '../spec/stream.js';
import type { Usage } from '../spec/usage.js';
import { GatewayError } from '../errors/gateway-error.js';
import { UpstreamError } from '../errors/upstream-error.js';
import { chainBlockHashes } from '../util/hash.js';
import { encode } from '../tokenizer/tokenizer.js';
import type { ModelRoute, ModelRouter } from '../router/router.js';
import { sendError, sendJson } from '../api/http/respond.js';
import { errorParam } from '../providers/openai-compatible/errors.js';
import { routeOfError, type Dispatcher, type Lease } from './dispatch.js';
import { describeLease, overheadMs, tokensOf } from './lease-record.js';
import { runStream } from './stream-phase.js';
import type { CompletionRecord, GatewayHooks } from './lifecycle.js';
import type { Logger } from './logger.js';
import type { RequestContext } from './request-context.js';
import { ClientGoneError } from './request-context.js';

/** What the gateway hands a surface handler: the phases after validate, shared by every surface. */
export interface Pipeline {
  /** A stream's keep-alive after this much upstream silence, ms; 0 = none (config `server.sseKeepAliveMs`). */
  sseKeepAliveMs: number;
  router: ModelRouter;
  dispatcher: Dispatcher;
  hooks: GatewayHooks;
  clock: Clock;
  logger: Logger;
}

/** One generation call, whatever its endpoint: how to call the adapter, and how to render the answer. */
export interface Generation<R> {
  endpoint: CompletionRecord['endpoint'];
  model: string;
  stream: boolean;
  /** Estimated prompt tokens (for admission and the scheduler's queued-prefill estimate). */
  promptTokens: number;
  maxOutputTokens: number;
  /** Text the lazy block hashes are computed from, if a policy asks for them… */
  promptText: () => string;
  /** …unless the adapter can render the prompt as the engine will see it (chat requests). */
  renderPrompt?: (adapter: ProviderAdapter, target: UpstreamTarget) => string | undefined;
  call: (adapter: ProviderAdapter, target: UpstreamTarget, context: CallContext) => Promise<R>;
  callStream?: (adapter: ProviderAdapter, target: UpstreamTarget, context: CallContext) => Promise<EventBatches>;
  /** Renders a whole answer as JSON text, and says what it used (estimated with `estimateUsage` when unknown). */
  render: (value: R) => { body: string; usage: Usage };
  /** The surface's stream dialect, one renderer per stream: canonical events in, SSE frames out. */
  renderStream?: () => StreamRenderer;
}

const BLOCK_TOKENS = 16;

/**
 * admit → route → schedule → dispatch → stream → account, for any surface. The surface did
 * authenticate and validate; this runs the rest and always ends with exactly one record.
 */
export async function runGeneration<R>(pipeline: Pipeline, context: RequestContext, generation: Generation<R>): Promise<void> {
  const { router, hooks, clock } = pipeline;
  const record: CompletionRecord = {
    requestId: context.id,
    endpoint: generation.endpoint,
    surface: context.info.surface,
    model: generation.model,
    usage: { inputTokens: undefined, cachedInputTokens: undefined, cacheWriteTokens: undefined, outputTokens: undefined, reasoningTokens: undefined },
    stream: generation.stream,
    latencyMs: 0,
    status: 0,
    attempts: 0,
    tags: context.info.tags,
    startedAt: context.startedAt,
  };
  if (context.principal !== undefined) record.principal = context.principal;
  let lease: Lease<unknown> | undefined;
  try {
    // route (1/2): the public model and its fallback chain.
    const chain = router.chain(generation.model);
    if (chain === undefined) {
      throw new GatewayError('model_not_found', `model "${generation.model}" does not exist; GET /v1/models lists the models`, { param: 'model' });
    }
    // admit
    if (hooks.admit !== undefined) {
      const admission = await hooks.admit(
        context.info,
        { model: (chain[0] as ModelRoute).name, promptTokens: generation.promptTokens, maxOutputTokens: generation.maxOutputTokens, stream: generation.stream },
        context.principal,
      );
      if (admission !== undefined) {
        context.admission = admission;
        if (admission.headers !== undefined) Object.assign(context.headers, admission.headers);
      }
    }
    const features = new GatewayRequestFeatures(context, generation as Generation<unknown>, chain[0] as ModelRoute, pipeline.dispatcher);
    if (!generation.stream) {
      const nonStream = await pipeline.dispatcher.run(chain, features, context.cancel, generation.call);
      lease = nonStream;
      nonStream.firstToken();
      describeLease(record, nonStream);
      record.ttftMs = clock.now() - context.startedAt;
      const { body, usage } = generation.render(nonStream.value);
      record.usage = usage;
      nonStream.end({ kind: 'success' }, tokensOf(usage));
      context.headers['x-switchyard-route'] = `${nonStream.replica.spec.pool}/${nonStream.replica.spec.id}`;
      context.headers['x-switchyard-overhead-ms'] = overheadMs(clock.now() - context.startedAt, nonStream.upstreamMs);
      sendJson(context.response, 200, body, context.headers);
      record.status = 200;
    } else {
      await runStream(pipeline, context, generation, chain, features, record, (l) => (lease = l));
    }
  } catch (error) {
    lease?.end({ kind: 'neutral' });
    if (error instanceof ClientGoneError || context.cancel.aborted) {
      record.status = 499;
      record.errorCode = 'client_closed';
    } else {
      const clientError = clientFacing(error);
      const route = routeOfError(error);
      if (route !== undefined) context.headers['x-switchyard-route'] = route;
      if (context.response.headersSent) {
        if (!context.response.writableEnded) context.response.end();
      } else {
        const sent = sendError(context.response, clientError, context.info.surface, context.id, context.headers);
        record.status = sent.status;
      }
      record.errorCode = GatewayError.isInstance(clientError) ? clientError.code : 'internal_error';
      if (!GatewayError.isInstance(error)) pipeline.logger.error('internal error', { requestId: context.id, error });
    }
  } finally {
    record.latencyMs = clock.now() - context.startedAt;
    account(pipeline, context, record);
  }
}

/** account: one record per request to the ledger hook, and the admission released — exactly once. */
function account(pipeline: Pipeline, context: RequestContext, record: CompletionRecord): void {
  try {
    context.admission?.release?.(record);
    pipeline.hooks.onComplete?.(record);
  } catch (error) {
    pipeline.logger.error('completion hook failed', { requestId: context.id, error });
  }
  if (pipeline.logger.enabled('debug')) {
    pipeline.logger.debug('request', { requestId: record.requestId, model: record.model, pool: record.pool, replica: record.replica, status: record.status, latencyMs: record.latencyMs, errorCode: record.errorCode });
  }
}

/**
 * The error the client should see. An upstream's rejection of the request itself (400/413/422) is the
 * client's problem and keeps its 400 and message; everything else from upstream is a 5xx (never 200).
 */
export function clientFacing(error: unknown): unknown {
  if (!UpstreamError.isUpstream(error) || error.kind !== 'status') return error;
  const status = error.upstreamStatus ?? 0;
  if (status === 400 || status === 413 || status === 422) {
    const param = errorParam(error.body);
    return new GatewayError('invalid_request', error.message, param === undefined ? {} : { param });
  }
  return error;
}

/**
 * The scheduler's view of the request; block hashes are computed only if a policy reads them. A class, not
 * an object literal with a getter: a literal with an accessor got a hidden class of its own on every
 * request (allocated in V8's old space), about 1.2 kB of old-generation growth per request, measured.
 */
class GatewayRequestFeatures implements RequestFeatures {
  readonly id: string;
  model: string;
  readonly tenant: string;
  readonly priority: RequestFeatures['priority'];
  readonly slo: RequestFeatures['slo'];
  readonly promptTokens: number;
  readonly maxOutputTokens: number;
  readonly blockTokens = BLOCK_TOKENS;
  readonly arrivalMs: number;
  #hashes: number[] | undefined;

  readonly #generation: Generation<unknown>;
  readonly #modelRoute: ModelRoute;
  readonly #dispatcher: Dispatcher;

  constructor(context: RequestContext, generation: Generation<unknown>, model: ModelRoute, dispatcher: Dispatcher) {
    this.id = context.id;
    this.model = model.name;
    this.tenant = context.principal?.tenant ?? 'default';
    this.priority = context.info.headers['x-switchyard-priority'] === 'batch' ? 'batch' : 'interactive';
    this.slo = model.slo;
    this.promptTokens = generation.promptTokens;
    this.maxOutputTokens = generation.maxOutputTokens;
    this.arrivalMs = context.startedAt;
    this.#generation = generation;
    this.#modelRoute = model;
    this.#dispatcher = dispatcher;
  }

  get blockHashes(): readonly number[] {
    this.#hashes ??= chainBlockHashes(encode(this.#hashedText()), BLOCK_TOKENS);
    return this.#hashes;
  }

  /** The prompt as the engine will tokenize it where the adapter knows how, else its plain text. */
  #hashedText(): string {
    const render = this.#generation.renderPrompt;
    const at = render === undefined ? undefined : this.#dispatcher.promptTarget(this.#modelRoute);
    return (at === undefined ? undefined : render?.(at.adapter, at.target)) ?? this.#generation.promptText();
  }
}
