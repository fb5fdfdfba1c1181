import type { CancelSignal } from './cancel.js';

/**
 * The HTTP client adapters talk through. Adapters never open sockets themselves: the gateway injects a
 * transport backed by pooled undici dispatchers (keep-alive, timeouts, abort), and tests inject the same
 * transport pointed at a local fixture server.
 */
export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  signal?: CancelSignal;
}

export interface HttpResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string | string[] | undefined>;
  /** The body as it arrives. Read it once: either iterate, or call text()/json(). */
  body: AsyncIterable<Uint8Array>;
  text(): Promise<string>;
  json(): Promise<unknown>;
}

export type HttpTransport = (request: HttpRequest) => Promise<HttpResponse>;
