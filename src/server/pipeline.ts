import type { CallContext, ProviderAdapter, UpstreamTarget } from '../spec/adapter.js';
import type { Clock } from '../spec/clock.js';
import type { RequestFeatures } from '../spec/routing.js';
import type { StreamEvent } from '../spec/stream.js';
import type { Usage } from '../spec/usage.js';
import { GatewayError } from '../errors/gateway-error.js';
import { UpstreamError } from '../errors/upstream-error.js';
import { chainBlockHashes } from '../util/hash.js';
import { encode } from '../tokenizer/tokenizer.js';
import { estimateUsage } from './estimate-usage.js';
import type { ModelRoute, ModelRouter } from '../router/router.js';
import { sendError, sendJson } from '../api/http/respond.js';
import { SseWriter } from '../api/http/sse-writer.js';
import { errorParam } from '../providers/openai-compatible/errors.js';
import { routeOfError, type Dispatcher, type Lease } from './dispatch.js';
import type { CompletionRecord, GatewayHooks } from './lifecycle.js';
import type { Logger } from './logger.js';
import type { RequestContext } from './request-context.js';
import { ClientGoneError } from './request-context.js';

/** What the gateway hands a surface handler: the phases after validate, shared by every surface. */
export interface Pipeline {
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
  /** Text the lazy block hashes are computed from, if a policy asks for them. */
  promptText: () => string;
  call: (adapter: ProviderAdapter, target: UpstreamTarget, context: CallContext) => Promise<R>;
  callStream?: (adapter: ProviderAdapter, target: UpstreamTarget, context: CallContext) => Promise<AsyncIterable<StreamEvent>>;
  /** Renders a whole answer as JSON text, and says what it used (estimated with `estimateUsage` when unknown). */
  render: (value: R) => { body: string; usage: Usage };
  /** Turns canonical events into the surface's SSE frames. */
  renderStream?: (events: AsyncIterable<StreamEvent>) => AsyncIterable<string>;
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
    const features = requestFeatures(context, generation, chain[0] as ModelRoute, clock);
    if (!generation.stream) {
      const nonStream = await pipeline.dispatcher.run(chain, features, context.abort.signal, generation.call);
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
    if (error instanceof ClientGoneError || context.abort.signal.aborted) {
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

async function runStream<R>(
  pipeline: Pipeline,
  context: RequestContext,
  generation: Generation<R>,
  chain: readonly ModelRoute[],
  features: RequestFeatures,
  record: CompletionRecord,
  onLease: (lease: Lease<unknown>) => void,
): Promise<void> {
  const { clock } = pipeline;
  const callStream = generation.callStream;
  const renderStream = generation.renderStream;
  if (callStream === undefined || renderStream === undefined) throw new GatewayError('unsupported_feature', 'streaming is not supported here', { param: 'stream' });
  // dispatch: pull the first event before any byte goes to the client, so an upstream that accepts and
  // then fails at once (Portkey #1047) is still retried elsewhere.
  const lease = await pipeline.dispatcher.run(chain, features, context.abort.signal, async (adapter, target, callContext) => {
    const events = await callStream(adapter, target, callContext);
    const iterator = events[Symbol.asyncIterator]();
    const first = await iterator.next();
    if (!first.done && first.value.type === 'error') {
      await iterator.return?.();
      const event = first.value;
      throw new UpstreamError(
        event.code === 'upstream_timeout'
          ? { kind: 'timeout', message: event.message }
          : { kind: 'status', status: event.status ?? 502, message: event.message },
      );
    }
    return { iterator, first };
  });
  onLease(lease);
  describeLease(record, lease);
  record.ttftMs = clock.now() - context.startedAt;
  lease.firstToken();
  context.headers['x-switchyard-route'] = `${lease.replica.spec.pool}/${lease.replica.spec.id}`;
  context.headers['x-switchyard-overhead-ms'] = overheadMs(record.ttftMs, lease.upstreamMs);
  // stream: from here on nothing is retried; failures end the stream with an error event.
  const writer = new SseWriter(context.response);
  writer.start(context.headers);
  record.status = 200;
  const usage = record.usage;
  let failed: string | undefined;
  const { iterator, first } = lease.value;
  // Output text is kept (as pieces) only to estimate usage when the upstream reports none.
  const pieces: string[] = [];
  async function* tapped(): AsyncGenerator<StreamEvent> {
    let next = first;
    while (!next.done) {
      const event = next.value;
      if (event.type === 'usage') mergeInto(usage, event.usage);
      else if (event.type === 'text-delta' || event.type === 'reasoning-delta') pieces.push(event.text);
      else if (event.type === 'tool-call-delta') pieces.push(event.argumentsDelta);
      else if (event.type === 'error') failed = event.code;
      yield event;
      next = await iterator.next();
    }
    if (failed === undefined && (usage.inputTokens === undefined || usage.outputTokens === undefined)) {
      // The upstream never reported usage (some TGI and llama.cpp builds): count it ourselves, marked
      // estimated, so neither the client's usage chunk nor the ledger is left without numbers.
      const estimated = estimateUsage(usage, generation.promptText, () => pieces.join(''));
      mergeInto(usage, estimated);
      usage.estimated = true;
      yield { type: 'usage', usage: estimated };
    }
  }
  try {
    for await (const frame of renderStream(tapped())) {
      if (!(await writer.write(frame))) break;
    }
  } finally {
    await iterator.return?.();
  }
  if (context.abort.signal.aborted || writer.closed) {
    lease.end({ kind: 'neutral' });
    record.status = 499;
    record.errorCode = 'client_closed';
    return;
  }
  writer.end();
  if (failed !== undefined) {
    record.errorCode = failed;
    lease.end({ kind: 'failure' });
    return;
  }
  // Observed latencies for policies that learn from their estimates (time per output token after the first).
  const observed = tokensOf(usage);
  const ttftMs = record.ttftMs ?? 0;
  const outputTokens = usage.outputTokens;
  const tpotMs = outputTokens !== undefined && outputTokens > 1 ? (clock.now() - context.startedAt - ttftMs) / (outputTokens - 1) : undefined;
  lease.end({ kind: 'success' }, { ...observed, ttftMs, ...(tpotMs === undefined ? {} : { tpotMs }) });
}

/**
 * `x-switchyard-overhead-ms`: time to the first byte not spent waiting on upstreams (parsing, hooks,
 * routing, queueing, rendering), so operators can check the latency the gateway adds in production
 * (after LiteLLM's `x-litellm-overhead-duration-ms`). Includes queueing for capacity and retry waits.
 */
function overheadMs(totalMs: number, upstreamMs: number): string {
  return Math.max(0, totalMs - upstreamMs).toFixed(2);
}

function tokensOf(usage: Usage): { promptTokens?: number; outputTokens?: number } {
  return {
    ...(usage.inputTokens === undefined ? {} : { promptTokens: usage.inputTokens }),
    ...(usage.outputTokens === undefined ? {} : { outputTokens: usage.outputTokens }),
  };
}

function describeLease(record: CompletionRecord, lease: Lease<unknown>): void {
  const spec = lease.replica.spec;
  record.servedModel = lease.model.name;
  record.pool = spec.pool;
  record.replica = spec.id;
  record.hardware = spec.hardware;
  record.upstreamModel = spec.target.upstreamModel;
  record.attempts = lease.attempts;
}

function mergeInto(into: Usage, next: Usage): void {
  if (next.inputTokens !== undefined) into.inputTokens = next.inputTokens;
  if (next.cachedInputTokens !== undefined) into.cachedInputTokens = next.cachedInputTokens;
  if (next.cacheWriteTokens !== undefined) into.cacheWriteTokens = next.cacheWriteTokens;
  if (next.outputTokens !== undefined) into.outputTokens = next.outputTokens;
  if (next.reasoningTokens !== undefined) into.reasoningTokens = next.reasoningTokens;
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

/** The scheduler's view of the request; block hashes are computed only if a policy reads them. */
function requestFeatures<R>(context: RequestContext, generation: Generation<R>, model: ModelRoute, clock: Clock): RequestFeatures {
  let hashes: number[] | undefined;
  return {
    id: context.id,
    model: model.name,
    tenant: context.principal?.tenant ?? 'default',
    priority: context.info.headers['x-switchyard-priority'] === 'batch' ? 'batch' : 'interactive',
    slo: model.slo,
    promptTokens: generation.promptTokens,
    maxOutputTokens: generation.maxOutputTokens,
    get blockHashes(): readonly number[] {
      hashes ??= chainBlockHashes(encode(generation.promptText()), BLOCK_TOKENS);
      return hashes;
    },
    blockTokens: BLOCK_TOKENS,
    arrivalMs: context.startedAt,
  };
}
