import type { RequestFeatures } from '../spec/routing.js';
import type { StreamEvent } from '../spec/stream.js';
import { GatewayError } from '../errors/gateway-error.js';
import { toGatewayError } from '../errors/render.js';
import { UpstreamError } from '../errors/upstream-error.js';
import type { ModelRoute } from '../router/router.js';
import { SseWriter } from '../api/http/sse-writer.js';
import type { Lease } from './dispatch.js';
import { estimateUsage } from './estimate-usage.js';
import { describeLease, mergeInto, overheadMs, tokensOf } from './lease-record.js';
import type { CompletionRecord } from './lifecycle.js';
import type { Generation, Pipeline } from './pipeline.js';
import type { RequestContext } from './request-context.js';

/**
 * dispatch → stream for a streaming generation: the first events are pulled before any byte goes to the
 * client (so a stream that fails at once is still retried), then each batch of events is accounted,
 * rendered in the client's dialect and written with backpressure; failures after that end the stream
 * with an error frame — never a retry.
 *
 * Per batch (one upstream read) this awaits once at most; the events inside a batch are handled
 * synchronously (spec/stream.ts, EventBatches).
 */
export async function runStream<R>(
  pipeline: Pipeline,
  context: RequestContext,
  generation: Generation<R>,
  chain: readonly ModelRoute[],
  features: RequestFeatures,
  record: CompletionRecord,
  onLease: (lease: Lease<unknown>) => void,
): Promise<void> {
  const { clock } = pipeline;
  const { callStream, renderStream } = generation;
  if (callStream === undefined || renderStream === undefined) throw new GatewayError('unsupported_feature', 'streaming is not supported here', { param: 'stream' });
  // dispatch: pull the first events before any byte goes to the client, so an upstream that accepts and
  // then fails at once (Portkey #1047) is still retried elsewhere.
  const lease = await pipeline.dispatcher.run(chain, features, context.cancel, async (adapter, target, callContext) => {
    const iterator = (await callStream(adapter, target, callContext))[Symbol.asyncIterator]();
    let first = await iterator.next();
    while (first.done !== true && first.value.length === 0) first = await iterator.next();
    const event = first.done === true ? undefined : first.value[0];
    if (event?.type === 'error') {
      await iterator.return?.();
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
  // stream: from here on nothing is retried; failures end the stream with an error frame.
  const writer = new SseWriter(context.response);
  writer.start(context.headers);
  record.status = 200;
  const renderer = renderStream();
  const heartbeat = renderer.heartbeat;
  if (heartbeat !== undefined && pipeline.sseKeepAliveMs > 0) writer.keepAlive(pipeline.sseKeepAliveMs, () => heartbeat.call(renderer));
  const usage = record.usage;
  let failed: string | undefined;
  // Output text is kept (as pieces) only to estimate usage when the upstream reports none.
  const pieces: string[] = [];
  const { iterator } = lease.value;
  let next: IteratorResult<readonly StreamEvent[]> = lease.value.first;
  let last = '';
  try {
    while (next.done !== true) {
      let frames = '';
      for (const event of next.value) {
        // account as the events pass: usage, and what the output was in case usage never comes.
        if (event.type === 'usage') mergeInto(usage, event.usage);
        else if (event.type === 'text-delta' || event.type === 'reasoning-delta') pieces.push(event.text);
        else if (event.type === 'tool-call-delta') pieces.push(event.argumentsDelta);
        else if (event.type === 'error') failed = event.code;
        frames += renderer.push(event);
        if (renderer.done) break;
      }
      if (renderer.done) {
        last = frames;
        break;
      }
      if (frames !== '') writer.write(frames);
      if (writer.blocked !== undefined) await writer.blocked;
      if (writer.closed) break;
      next = await iterator.next();
    }
  } catch (error) {
    // The upstream broke off with an exception rather than an error event (our own abort when the client
    // left lands here too; then nobody is listening).
    if (!context.cancel.aborted) {
      failed = toGatewayError(error).code;
      last = renderer.fail(error);
    }
  } finally {
    await iterator.return?.();
  }
  if (context.cancel.aborted || writer.closed) {
    writer.stop();
    lease.end({ kind: 'neutral' });
    record.status = 499;
    record.errorCode = 'client_closed';
    return;
  }
  if (renderer.done) {
    // Ended by an error frame: the upstream's error event, or a stream the renderer could not continue.
    failed ??= 'upstream_error';
  } else {
    if (usage.inputTokens === undefined || usage.outputTokens === undefined) {
      // The upstream never reported usage (some TGI and llama.cpp builds): count it ourselves, marked
      // estimated, so neither the client's usage chunk nor the ledger is left without numbers.
      const estimated = estimateUsage(usage, generation.promptText, () => pieces.join(''));
      mergeInto(usage, estimated);
      usage.estimated = true;
      last += renderer.push({ type: 'usage', usage: estimated });
    }
    last += renderer.end();
  }
  writer.end(last);
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
  observed.ttftMs = ttftMs;
  if (tpotMs !== undefined) observed.tpotMs = tpotMs;
  lease.end({ kind: 'success' }, observed);
}
