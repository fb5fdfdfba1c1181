import { Agent, errors as undiciErrors, request } from 'undici';
import { UpstreamError } from '../errors/upstream-error.js';
import { Deadlines } from './deadlines.js';
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

/**
 * The HTTP transport adapters talk through: one undici Agent (a keep-alive pool per origin) with
 * connect, first-byte, chunk-gap and total timeouts. Failures become UpstreamErrors with a `kind` the
 * retry loop understands; an abort from the caller (client disconnected) is passed through as the abort
 * reason, not as an upstream failure.
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

  const transport = async (input: HttpRequest): Promise<HttpResponse> => {
    // One controller per call: aborted by the caller's signal (client gone) or by the total deadline.
    const controller = new AbortController();
    const callerSignal = input.signal;
    const onCallerAbort = (): void => controller.abort(callerSignal?.reason);
    if (callerSignal !== undefined) {
      if (callerSignal.aborted) throw callerSignal.reason;
      callerSignal.addEventListener('abort', onCallerAbort, { once: true });
    }
    const entry = deadlines?.add(controller);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      callerSignal?.removeEventListener('abort', onCallerAbort);
      if (entry !== undefined) deadlines?.delete(entry);
    };
    let response;
    try {
      response = await request(input.url, {
        method: input.method,
        headers: input.headers,
        body: input.body ?? null,
        dispatcher: agent,
        signal: controller.signal,
      });
    } catch (error) {
      release();
      throw classify(error, input, 'before the response');
    }
    const body = response.body;
    const headers = response.headers as Record<string, string | string[] | undefined>;
    const readText = async (): Promise<string> => {
      try {
        return await body.text();
      } catch (error) {
        throw classify(error, input, 'while reading the body');
      } finally {
        release();
      }
    };
    return {
      status: response.statusCode,
      headers,
      body: guardBody(body, input, release),
      text: readText,
      json: async () => {
        const text = await readText();
        try {
          return JSON.parse(text) as unknown;
        } catch (error) {
          throw new UpstreamError({
            kind: 'protocol',
            message: `${origin(input.url)} answered with a body that is not JSON`,
            status: response.statusCode,
            body: text.slice(0, 2000),
            cause: error,
          });
        }
      },
    };
  };

  return Object.assign(transport, { close: () => agent.close() });
}

async function* guardBody(body: AsyncIterable<Uint8Array>, input: HttpRequest, release: () => void): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of body) yield chunk;
  } catch (error) {
    throw classify(error, input, 'mid-stream');
  } finally {
    release();
  }
}

function classify(error: unknown, input: HttpRequest, when: string): unknown {
  // The caller's own abort (client gone) is not an upstream failure: rethrow it untouched.
  if (input.signal?.aborted === true) return input.signal.reason ?? error;
  const where = `${origin(input.url)} ${when}`;
  if (error instanceof undiciErrors.HeadersTimeoutError) {
    return new UpstreamError({ kind: 'timeout', message: `no response headers from ${where} in time`, cause: error });
  }
  if (error instanceof undiciErrors.BodyTimeoutError) {
    return new UpstreamError({ kind: 'timeout', message: `stream from ${where} stalled`, cause: error });
  }
  if (error instanceof undiciErrors.ConnectTimeoutError) {
    return new UpstreamError({ kind: 'timeout', message: `connect to ${where} timed out`, cause: error });
  }
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return new UpstreamError({ kind: 'timeout', message: `call to ${where} exceeded the total timeout`, cause: error });
  }
  const code = (error as { code?: string } | null)?.code ?? '';
  const message = error instanceof Error ? error.message : String(error);
  const kind = when === 'before the response' ? 'connect' : 'protocol';
  return new UpstreamError({ kind, message: `${where}: ${code || message}`, cause: error });
}

/** The origin only: never log paths or query strings (they can carry keys, as Gemini's `?key=` does). */
function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'upstream';
  }
}
