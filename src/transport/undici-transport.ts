import { Agent } from 'undici';
import { Deadlines } from './deadlines.js';
import { UpstreamCall } from './upstream-call.js';
import type { HttpRequest, HttpResponse, HttpTransport } from '../spec/transport.js';

export interface TransportTimeouts {
  /** TCP (and TLS) connect, ms. */
  connectMs: number;
  /** From request sent to response headers: the upstream's time to first byte, ms. */
  firstByteMs: number;
  /** Longest silence between two body chunks, ms (a stalled stream). undici checks it on a ~1 s timer. */
  chunkGapMs: number;
  /** Whole call, headers and body, ms. 0 disables. */
  totalMs: number;
}

export const DEFAULT_TIMEOUTS: TransportTimeouts = {
  connectMs: 5_000,
  firstByteMs: 120_000,
  chunkGapMs: 60_000,
  totalMs: 600_000,
};

export interface UndiciTransportOptions {
  timeouts?: Partial<TransportTimeouts>;
  /** Keep-alive connections per origin. */
  connections?: number;
  /** Requests pipelined per connection (1 = none; keep 1 for streaming upstreams). */
  pipelining?: number;
}

export interface UndiciTransport extends HttpTransport {
  close(): Promise<void>;
}

/** Parsed request targets: adapters call a handful of fixed URLs, so each is split into origin and path once. */
const MAX_CACHED_URLS = 1024;

/**
 * The HTTP transport adapters talk through: one undici Agent (a keep-alive pool per origin) with
 * connect, first-byte, chunk-gap and total timeouts, driven through undici's dispatch API (see
 * upstream-call.ts for why not `request()`). Failures become UpstreamErrors with a `kind` the retry loop
 * understands; an abort from the caller (client disconnected) is passed through as the abort reason, not
 * as an upstream failure.
 */
export function createUndiciTransport(options: UndiciTransportOptions = {}): UndiciTransport {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const agent = new Agent({
    connect: { timeout: timeouts.connectMs },
    headersTimeout: timeouts.firstByteMs,
    bodyTimeout: timeouts.chunkGapMs,
    connections: options.connections ?? 256,
    pipelining: options.pipelining ?? 1,
    keepAliveTimeout: 30_000,
  });
  const deadlines = timeouts.totalMs > 0 ? new Deadlines(timeouts.totalMs) : undefined;
  const targets = new Map<string, { origin: string; path: string }>();

  const ended = (call: UpstreamCall): void => {
    call.input.signal?.removeEventListener('abort', call);
    deadlines?.delete(call);
  };

  const transport = (input: HttpRequest): Promise<HttpResponse> => {
    const signal = input.signal;
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    let target = targets.get(input.url);
    if (target === undefined) {
      let url: URL;
      try {
        url = new URL(input.url);
      } catch {
        return Promise.reject(new TypeError('the upstream URL is not valid'));
      }
      target = { origin: url.origin, path: `${url.pathname}${url.search}` };
      if (targets.size >= MAX_CACHED_URLS) targets.clear();
      targets.set(input.url, target);
    }
    const call = new UpstreamCall(input, ended);
    signal?.addEventListener('abort', call, { once: true });
    deadlines?.add(call);
    agent.dispatch({ origin: target.origin, path: target.path, method: input.method, headers: input.headers, body: input.body ?? null }, call);
    return call.response;
  };

  return Object.assign(transport, { close: () => agent.close() });
}
