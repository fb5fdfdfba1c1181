/**
 * The limiter's contract with the gateway, and the backend contract the memory and Redis stores meet.
 *
 * Lifecycle (after Bedrock's quota reservation, reference/bedrock.md §1.12): `admit` reserves one request,
 * prompt + max output tokens, one concurrency slot and the estimated cost — all or nothing; the request
 * runs; then exactly one of `settle` (usage known) or `release` (nothing consumed) returns what was not
 * used. Both are idempotent and never throw, so `finally { await admission.release() }` after a
 * `settle` is always safe (LiteLLM #27639 leaked reservations into phantom 429s).
 */
export interface AdmissionRequest {
  /** Prompt tokens (counted or estimated). */
  promptTokens: number;
  /** The request's max output tokens (or the model's maximum when the client sent none). */
  maxOutputTokens: number;
  /** Estimated cost in dollars at the reservation (prompt + max output at list prices). */
  estimatedCostUsd?: number;
}

/** What the request really consumed; an unknown field keeps the reservation (we never assume 0). */
export interface ActualUsage {
  inputTokens?: number | undefined;
  /** Cache reads do not count towards tokens per minute (Bedrock releases them at settlement). */
  cachedInputTokens?: number | undefined;
  outputTokens?: number | undefined;
  costUsd?: number | undefined;
}

export interface Admission {
  readonly id: string;
  /** OpenAI's x-ratelimit-* headers for this key; set them on the response. */
  readonly headers: Readonly<Record<string, string>>;
  settle(actual: ActualUsage): Promise<void>;
  release(): Promise<void>;
  readonly done: boolean;
}

/** One dimension's state after a check: what the headers report. */
export interface WindowState {
  limit: number;
  remaining: number;
  /** Ms until all usage now in the window has left it. */
  resetMs: number;
}

export type DenyReason = 'rate_limit_exceeded' | 'token_limit_exceeded' | 'concurrency_limit_exceeded' | 'budget_exceeded';

export interface BackendAdmitInput {
  keyId: string;
  admissionId: string;
  rpm: number | undefined;
  tpm: number | undefined;
  maxConcurrent: number | undefined;
  /** Budget for the period in nano-dollars (integers keep Redis counters exact). */
  budgetNano: number | undefined;
  periodId: string;
  periodEndMs: number;
  tokens: number;
  costNano: number;
  leaseMs: number;
}

export type BackendAdmitResult =
  | { kind: 'admitted'; bucket: number; requests?: WindowState; tokens?: WindowState }
  | { kind: 'denied'; reason: DenyReason; retryAfterMs: number | undefined; requests?: WindowState; tokens?: WindowState }
  /** The budget counter for this period does not exist yet: seed it from the ledger and try again. */
  | { kind: 'need-seed' };

export interface BackendSettleInput {
  keyId: string;
  admissionId: string;
  bucket: number;
  /** Actual minus reserved tokens (0 when unknown). */
  tokenDelta: number;
  periodId: string | undefined;
  reservedNano: number;
  actualNano: number;
}

export interface LimitBackend {
  admit(input: BackendAdmitInput, seedAllowed: boolean): Promise<BackendAdmitResult>;
  /** Sets the period's spent counter if it does not exist yet (first process wins). */
  seedBudget(keyId: string, periodId: string, spentNano: number, periodEndMs: number): Promise<void>;
  settle(input: BackendSettleInput): Promise<void>;
  /** Extends a held concurrency lease. */
  renew(keyId: string, admissionId: string, leaseMs: number): Promise<void>;
  close(): Promise<void>;
}

/** Window shape shared by both backends: 60 one-second buckets (see docs/tenancy.md, "Windows"). */
export const WINDOW_BUCKETS = 60;
export const BUCKET_MS = 1000;
