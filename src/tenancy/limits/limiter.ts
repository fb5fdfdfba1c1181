import { randomUUID } from 'node:crypto';
import { GatewayError } from '../../errors/index.js';
import { displayPrefix } from '../key-format.js';
import type { ApiKeyRecord, BudgetPeriod } from '../types.js';
import { rateLimitHeaders } from './headers.js';
import { periodOf } from './period.js';
import type { ActualUsage, Admission, AdmissionRequest, BackendAdmitInput, DenyReason, LimitBackend } from './types.js';

export interface LimiterOptions {
  /** How long a concurrency slot lives without renewal: the bound on a slot held by a dead process. Default 30 s. */
  leaseMs?: number;
  /** A held slot is renewed until this age, then left to lapse (a forgotten admission cannot pin a slot forever). Default 15 min. */
  maxHoldMs?: number;
  /** Dollars this key already spent in the period (from the ledger), read once when a period's counter is missing. */
  spentSince?: (keyId: string, sinceMs: number) => Promise<number>;
  /** The same for a tenant's budget: what all its keys spent in the period. */
  tenantSpentSince?: (tenantName: string, sinceMs: number) => Promise<number>;
  now?: () => number;
  /**
   * When the backend (Redis) cannot be reached: `false` (default) refuses the request with a 503 —
   * limits that silently stop holding are how budgets get overspent; `true` admits it unlimited and
   * reports the error (for operators who prefer availability to enforcement).
   */
  failOpen?: boolean;
  /** Where a failed settle/renew is reported (never with a key's secret). Default: console.error. */
  onError?: (message: string, error: unknown) => void;
}

const NANO = 1e9;

/**
 * Whose limits a reservation is held against: a key (all its limits), or a tenant (its budget, shared by
 * its keys). Both live in the same backend, under the key's id or `tenant:<tenant id>`.
 */
interface LimitSubject {
  id: string;
  /** How messages name it: the key's display prefix, or `tenant "acme"`. */
  label: string;
  rpm: number | undefined;
  tpm: number | undefined;
  maxConcurrent: number | undefined;
  budgetUsd: number | undefined;
  budgetPeriod: BudgetPeriod | undefined;
  spentSince: ((sinceMs: number) => Promise<number>) | undefined;
}

/**
 * Admission control per key: requests per minute, tokens per minute, concurrent requests and a dollar
 * budget per period, checked and reserved in one atomic step by the backend (memory or Redis); and per
 * tenant, a dollar budget shared by all its keys (`admitTenant`).
 */
export class Limiter {
  private readonly leaseMs: number;
  private readonly maxHoldMs: number;
  private readonly now: () => number;
  private readonly onError: (message: string, error: unknown) => void;

  constructor(
    private readonly backend: LimitBackend,
    private readonly options: LimiterOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? 30_000;
    this.maxHoldMs = options.maxHoldMs ?? 15 * 60_000;
    this.now = options.now ?? Date.now;
    this.onError = options.onError ?? ((message, error) => console.error(`switchyard limiter: ${message}:`, error instanceof Error ? error.message : error));
  }

  /** Reserves one request against the key's own limits (all or nothing); x-ratelimit-* headers on the admission. */
  admit(key: ApiKeyRecord, request: AdmissionRequest): Promise<Admission> {
    const l = key.limits;
    const spentSince = this.options.spentSince;
    return this.#admit(
      {
        id: key.id,
        label: displayPrefix(key.id),
        rpm: l.rpm,
        tpm: l.tpm,
        maxConcurrent: l.maxConcurrent,
        budgetUsd: l.budgetUsd,
        budgetPeriod: l.budgetPeriod,
        spentSince: spentSince === undefined ? undefined : (since) => spentSince(key.id, since),
      },
      request,
    );
  }

  /**
   * Reserves the request's estimated cost against the key's tenant's budget, shared by all the tenant's
   * keys (and by every gateway process, with the Redis backend); a no-op when the tenant has none.
   */
  admitTenant(key: ApiKeyRecord, request: AdmissionRequest): Promise<Admission> {
    const budget = key.tenantBudget;
    if (budget === undefined) return Promise.resolve(new NoopAdmission());
    const spentSince = this.options.tenantSpentSince;
    return this.#admit(
      {
        id: `tenant:${key.tenantId}`,
        label: `tenant "${key.tenantName}"`,
        rpm: undefined,
        tpm: undefined,
        maxConcurrent: undefined,
        budgetUsd: budget.usd,
        budgetPeriod: budget.period,
        spentSince: spentSince === undefined ? undefined : (since) => spentSince(key.tenantName, since),
      },
      request,
    );
  }

  async #admit(subject: LimitSubject, request: AdmissionRequest): Promise<Admission> {
    const tokens = Math.max(0, Math.ceil(request.promptTokens) + Math.ceil(request.maxOutputTokens));
    const costNano = Math.max(0, Math.round((request.estimatedCostUsd ?? 0) * NANO));
    const hasBudget = subject.budgetUsd !== undefined && subject.budgetPeriod !== undefined;
    if (subject.rpm === undefined && subject.tpm === undefined && subject.maxConcurrent === undefined && !hasBudget) {
      return new NoopAdmission();
    }
    const period = hasBudget && subject.budgetPeriod !== undefined ? periodOf(this.now(), subject.budgetPeriod) : undefined;
    const input: BackendAdmitInput = {
      keyId: subject.id,
      admissionId: randomUUID(),
      rpm: subject.rpm,
      tpm: subject.tpm,
      maxConcurrent: subject.maxConcurrent,
      budgetNano: hasBudget && subject.budgetUsd !== undefined ? Math.round(subject.budgetUsd * NANO) : undefined,
      periodId: period?.id ?? '',
      periodEndMs: period?.endMs ?? 0,
      tokens,
      costNano,
      leaseMs: this.leaseMs,
    };
    let result;
    try {
      result = await this.backend.admit(input, subject.spentSince !== undefined);
      if (result.kind === 'need-seed' && period !== undefined && subject.spentSince !== undefined) {
        const spent = await subject.spentSince(period.startMs);
        await this.backend.seedBudget(subject.id, period.id, Math.round(spent * NANO), period.endMs);
        result = await this.backend.admit(input, false);
      }
    } catch (error) {
      this.onError(`limit store unavailable for ${subject.label}${this.options.failOpen === true ? '; admitting without limits (failOpen)' : ''}`, error);
      if (this.options.failOpen === true) return new NoopAdmission();
      throw new GatewayError('upstream_unavailable', 'The rate-limit store is unavailable; try again shortly', { retryAfterMs: 1000, cause: error });
    }
    if (result.kind === 'need-seed') throw new Error('limit backend asked for a budget seed twice');
    const headers = rateLimitHeaders(result.requests, result.tokens);
    if (result.kind === 'denied') {
      throw new GatewayError(result.reason, denyMessage(result.reason, subject, tokens), {
        headers,
        ...(result.retryAfterMs === undefined ? {} : { retryAfterMs: result.retryAfterMs }),
      });
    }
    return new HeldAdmission(this.backend, input, result.bucket, period?.id, headers, {
      leaseMs: this.leaseMs,
      maxHoldMs: this.maxHoldMs,
      renew: subject.maxConcurrent !== undefined,
      label: subject.label,
      onError: this.onError,
    });
  }

  async close(): Promise<void> {
    await this.backend.close();
  }
}

function denyMessage(reason: DenyReason, subject: LimitSubject, tokens: number): string {
  const id = subject.label;
  switch (reason) {
    case 'rate_limit_exceeded':
      return `Rate limit reached for ${id}: ${subject.rpm} requests per minute`;
    case 'token_limit_exceeded':
      return subject.tpm !== undefined && tokens > subject.tpm
        ? `Request needs ${tokens} tokens (prompt + max_tokens), more than ${id}'s limit of ${subject.tpm} per minute; lower max_tokens`
        : `Token rate limit reached for ${id}: ${subject.tpm} tokens per minute (prompt + max_tokens are reserved)`;
    case 'concurrency_limit_exceeded':
      return `${id} already has ${subject.maxConcurrent} requests in flight`;
    case 'budget_exceeded':
      return `Budget of $${subject.budgetUsd} per ${subject.budgetPeriod} for ${id} is used up (or too little is left for this request)`;
  }
}

class NoopAdmission implements Admission {
  readonly id = 'unlimited';
  readonly headers = {};
  done = false;
  async settle(): Promise<void> {
    this.done = true;
  }
  async release(): Promise<void> {
    this.done = true;
  }
}

interface HoldOptions {
  /** How errors name the subject (never a key's secret). */
  label: string;
  leaseMs: number;
  maxHoldMs: number;
  renew: boolean;
  onError: (message: string, error: unknown) => void;
}

class HeldAdmission implements Admission {
  done = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly backend: LimitBackend,
    private readonly input: BackendAdmitInput,
    private readonly bucket: number,
    private readonly periodId: string | undefined,
    readonly headers: Readonly<Record<string, string>>,
    private readonly hold: HoldOptions,
  ) {
    if (hold.renew) {
      // Renew at a third of the lease so one missed renewal does not drop a live request's slot.
      const started = Date.now();
      this.timer = setInterval(() => {
        if (Date.now() - started > hold.maxHoldMs) return this.stopRenewing();
        this.backend.renew(input.keyId, input.admissionId, hold.leaseMs).catch((e: unknown) => hold.onError('lease renewal failed', e));
      }, Math.max(10, Math.floor(hold.leaseMs / 3)));
      this.timer.unref();
    }
  }

  get id(): string {
    return this.input.admissionId;
  }

  async settle(actual: ActualUsage): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.stopRenewing();
    // A key limited only by requests per minute has nothing to give back: skip the round trip.
    const i = this.input;
    if (i.tpm === undefined && i.maxConcurrent === undefined && i.budgetNano === undefined) return;
    const { inputTokens, cachedInputTokens, outputTokens, costUsd } = actual;
    const used = inputTokens === undefined || outputTokens === undefined ? undefined : inputTokens - (cachedInputTokens ?? 0) + outputTokens;
    try {
      await this.backend.settle({
        keyId: this.input.keyId,
        admissionId: this.input.admissionId,
        bucket: this.bucket,
        tokenDelta: used === undefined ? 0 : Math.max(0, Math.ceil(used)) - this.input.tokens,
        periodId: this.periodId,
        reservedNano: this.input.costNano,
        actualNano: costUsd === undefined ? this.input.costNano : Math.max(0, Math.round(costUsd * NANO)),
      });
    } catch (error) {
      // The slot lease still lapses on its own; the budget keeps the (conservative) reservation.
      this.hold.onError(`settle failed for ${this.hold.label}`, error);
    }
  }

  release(): Promise<void> {
    return this.settle({ inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, costUsd: 0 });
  }

  private stopRenewing(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
