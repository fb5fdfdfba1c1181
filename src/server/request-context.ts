import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Surface } from '../spec/request.js';
import { Cancellation } from '../util/cancellation.js';
import type { Admission, CompletionRecord, Principal, RequestInfo } from './lifecycle.js';

const NO_TAGS: readonly string[] = Object.freeze([]);

/** Everything one request carries through the phases. One object per request, nothing else allocated up front. */
export class RequestContext {
  readonly info: RequestInfo;
  /** Response headers gathered along the way (hooks, route); written once with the status. */
  readonly headers: Record<string, string>;
  /** Cancelled when the client goes away: the upstream call is aborted at once (the transport listens). */
  readonly cancel = new Cancellation();
  principal: Principal | undefined;
  admission: Admission | undefined;

  constructor(
    readonly request: IncomingMessage,
    readonly response: ServerResponse,
    id: string,
    path: string,
    surface: Surface,
    readonly startedAt: number,
  ) {
    this.info = { id, method: request.method ?? 'GET', path, headers: request.headers, surface, tags: parseTags(request.headers['x-switchyard-tags']) };
    this.headers = { 'x-request-id': id };
    // A client that goes away aborts its upstream call at once (the signal reaches undici).
    response.once('close', () => {
      if (!response.writableFinished) this.cancel.cancel(new ClientGoneError());
    });
  }

  get id(): string {
    return this.info.id;
  }
}

/** Abort reason when the client disconnected: not an upstream failure, not worth a log line above debug. */
export class ClientGoneError extends Error {
  constructor() {
    super('client closed the connection');
    this.name = 'ClientGoneError';
  }
}

/** `x-switchyard-tags: team=search, canary` → `['team=search', 'canary']`, bounded. */
export function parseTags(header: string | string[] | undefined): readonly string[] {
  if (header === undefined) return NO_TAGS;
  const raw = Array.isArray(header) ? header.join(',') : header;
  const tags: string[] = [];
  for (const part of raw.split(',')) {
    const tag = part.trim();
    if (tag !== '' && tag.length <= 64) tags.push(tag);
    if (tags.length === 16) break;
  }
  return tags;
}

export type { CompletionRecord };
