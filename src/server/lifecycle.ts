import type { IncomingHttpHeaders } from 'node:http';
import type { Surface } from '../spec/request.js';
import type { Usage } from '../spec/usage.js';

/**
 * The request phases, in order; drawn in docs/architecture.md. Code that implements a phase says so in
 * a comment naming it, and hooks are keyed by these names (fastify's lifecycle as data).
 *
 *   authenticate → validate → admit → route → schedule → dispatch → stream → account
 */
export const PHASES = ['authenticate', 'validate', 'admit', 'route', 'schedule', 'dispatch', 'stream', 'account'] as const;
export type Phase = (typeof PHASES)[number];

/** What hooks see of an incoming request. Headers are the client's; hooks must not log them whole. */
export interface RequestInfo {
  id: string;
  method: string;
  /** Path without the query string. */
  path: string;
  headers: IncomingHttpHeaders;
  surface: Surface;
  /** From `x-switchyard-tags: a=b,c` (at most 16 tags of 64 chars). */
  tags: readonly string[];
}

/** Who is calling, as established by the authenticate hook. */
export interface Principal {
  tenant: string;
  keyId?: string;
}

export interface AuthResult {
  principal?: Principal;
  /** Headers to add to the response (e.g. rate-limit headers). */
  headers?: Record<string, string>;
}

/** What the admit hook sees: enough to reserve tokens and money before anything is sent. */
export interface AdmissionRequest {
  model: string;
  promptTokens: number;
  maxOutputTokens: number;
  stream: boolean;
}

export interface Admission {
  headers?: Record<string, string>;
  /** Called exactly once when the request ends, with its record (release a reservation, settle the cost). */
  release?: (record: CompletionRecord) => void;
}

/** One record per request that reached `validate`, for the ledger. */
export interface CompletionRecord {
  requestId: string;
  endpoint: 'chat' | 'completion' | 'embedding' | 'count-tokens';
  surface: Surface;
  principal?: Principal;
  /** The public model the client asked for. */
  model: string;
  /** The public model that served it (differs after a fallback). */
  servedModel?: string;
  pool?: string;
  replica?: string;
  hardware?: string;
  upstreamModel?: string;
  usage: Usage;
  stream: boolean;
  /** Time to first token (streams) or to the whole answer, ms. */
  ttftMs?: number;
  latencyMs: number;
  /** HTTP status the client received (200 for a stream that ended with an error event). */
  status: number;
  /** Catalog code when the request failed, including mid-stream. */
  errorCode?: string;
  attempts: number;
  tags: readonly string[];
  startedAt: number;
}

/**
 * The seams tenancy and the ledger plug into. Each hook may throw a GatewayError to reject the request
 * (rendered in the client's envelope); hooks run in the phase of their name.
 */
export interface GatewayHooks {
  authenticate?: (request: RequestInfo) => Promise<AuthResult | undefined> | AuthResult | undefined;
  admit?: (
    request: RequestInfo,
    admission: AdmissionRequest,
    principal: Principal | undefined,
  ) => Promise<Admission | undefined> | Admission | undefined;
  /** `account`: one record per request. Must not throw or block; batch writes elsewhere. */
  onComplete?: (record: CompletionRecord) => void;
}

/** Functions run on shutdown after in-flight requests drained (flush the ledger, close stores). */
export type ShutdownHook = () => Promise<void> | void;
