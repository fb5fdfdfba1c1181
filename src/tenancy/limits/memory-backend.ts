import { BucketWindow } from './window.js';
import { BUCKET_MS, type BackendAdmitInput, type BackendAdmitResult, type BackendSettleInput, type LimitBackend } from './types.js';

interface KeyState {
  requests: BucketWindow;
  tokens: BucketWindow;
  /** admission id → lease expiry (ms). */
  leases: Map<string, number>;
  /** period id → spent / reserved nano-dollars. */
  budgets: Map<string, { spent: number; reserved: number; endMs: number }>;
}

/**
 * Limits in this process's memory: the embedded default (one gateway process). Each call runs to
 * completion without awaiting, so checks and updates cannot interleave. State is lost on restart
 * except budgets, which the limiter seeds from the ledger.
 */
export class MemoryLimitBackend implements LimitBackend {
  private readonly keys = new Map<string, KeyState>();

  constructor(private readonly now: () => number = Date.now) {}

  private state(keyId: string): KeyState {
    let s = this.keys.get(keyId);
    if (s === undefined) {
      s = { requests: new BucketWindow(), tokens: new BucketWindow(), leases: new Map(), budgets: new Map() };
      this.keys.set(keyId, s);
    }
    return s;
  }

  async admit(input: BackendAdmitInput, seedAllowed: boolean): Promise<BackendAdmitResult> {
    const now = this.now();
    const s = this.state(input.keyId);
    const bucket = Math.floor(now / BUCKET_MS);
    const requests = input.rpm === undefined ? undefined : s.requests.state(now, input.rpm);
    const tokens = input.tpm === undefined ? undefined : s.tokens.state(now, input.tpm);
    const deny = (reason: Extract<BackendAdmitResult, { kind: 'denied' }>['reason'], retryAfterMs: number | undefined): BackendAdmitResult => ({
      kind: 'denied',
      reason,
      retryAfterMs,
      ...(requests === undefined ? {} : { requests }),
      ...(tokens === undefined ? {} : { tokens }),
    });

    if (input.rpm !== undefined && requests !== undefined && requests.limit - requests.remaining + 1 > input.rpm) {
      return deny('rate_limit_exceeded', s.requests.waitFor(now, requests.limit - requests.remaining + 1 - input.rpm));
    }
    if (input.tpm !== undefined && tokens !== undefined) {
      const used = tokens.limit - tokens.remaining;
      if (used + input.tokens > input.tpm) {
        return deny('token_limit_exceeded', input.tokens > input.tpm ? undefined : s.tokens.waitFor(now, used + input.tokens - input.tpm));
      }
    }
    if (input.maxConcurrent !== undefined) {
      for (const [id, expiry] of s.leases) if (expiry <= now) s.leases.delete(id);
      if (s.leases.size >= input.maxConcurrent) return deny('concurrency_limit_exceeded', 1000);
    }
    let budget: { spent: number; reserved: number; endMs: number } | undefined;
    if (input.budgetNano !== undefined) {
      for (const [id, b] of s.budgets) if (b.endMs <= now) s.budgets.delete(id);
      budget = s.budgets.get(input.periodId);
      if (budget === undefined) {
        if (seedAllowed) return { kind: 'need-seed' };
        budget = { spent: 0, reserved: 0, endMs: input.periodEndMs };
        s.budgets.set(input.periodId, budget);
      }
      if (budget.spent >= input.budgetNano || budget.spent + budget.reserved + input.costNano > input.budgetNano) {
        return deny('budget_exceeded', Math.max(0, input.periodEndMs - now));
      }
    }

    // Every check passed: take everything at once.
    if (input.rpm !== undefined) s.requests.add(bucket, 1);
    if (input.tpm !== undefined) s.tokens.add(bucket, input.tokens);
    if (input.maxConcurrent !== undefined) s.leases.set(input.admissionId, now + input.leaseMs);
    if (budget !== undefined) budget.reserved += input.costNano;
    return {
      kind: 'admitted',
      bucket,
      ...(input.rpm === undefined ? {} : { requests: s.requests.state(now, input.rpm) }),
      ...(input.tpm === undefined ? {} : { tokens: s.tokens.state(now, input.tpm) }),
    };
  }

  async seedBudget(keyId: string, periodId: string, spentNano: number, periodEndMs: number): Promise<void> {
    const s = this.state(keyId);
    if (!s.budgets.has(periodId)) s.budgets.set(periodId, { spent: spentNano, reserved: 0, endMs: periodEndMs });
  }

  async settle(input: BackendSettleInput): Promise<void> {
    const s = this.keys.get(input.keyId);
    if (s === undefined) return;
    if (input.tokenDelta !== 0) s.tokens.adjust(this.now(), input.bucket, input.tokenDelta);
    s.leases.delete(input.admissionId);
    if (input.periodId !== undefined) {
      const b = s.budgets.get(input.periodId);
      if (b !== undefined) {
        b.reserved = Math.max(0, b.reserved - input.reservedNano);
        b.spent += input.actualNano;
      }
    }
    this.gc(input.keyId, s);
  }

  async renew(keyId: string, admissionId: string, leaseMs: number): Promise<void> {
    const leases = this.keys.get(keyId)?.leases;
    if (leases?.has(admissionId) === true) leases.set(admissionId, this.now() + leaseMs);
  }

  /** Forget keys with nothing left to remember, so memory stays bounded by active keys. */
  private gc(keyId: string, s: KeyState): void {
    if (s.requests.empty && s.tokens.empty && s.leases.size === 0 && s.budgets.size === 0) this.keys.delete(keyId);
  }

  async close(): Promise<void> {
    this.keys.clear();
  }
}
