import type { RequestFeatures } from '../spec/routing.js';
import type { StreamEvent } from '../spec/stream.js';
import { GatewayError } from '../errors/gateway-error.js';
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
 * dispatch → stream for a streaming generation: the first event is pulled before any byte goes to the
 * client (so a stream that fails at once is still retried), then frames are written with backpressure,
 * and failures after that end the stream with an error frame — never a retry.
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

