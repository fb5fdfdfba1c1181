import { Redis } from 'ioredis';
import { ADMIT_SCRIPT, RENEW_SCRIPT, SEED_SCRIPT, SETTLE_SCRIPT } from './redis-scripts.js';
import { BUCKET_MS, WINDOW_BUCKETS, type BackendAdmitInput, type BackendAdmitResult, type BackendSettleInput, type DenyReason, type LimitBackend, type WindowState } from './types.js';

export interface RedisBackendOptions {
  url: string;
  /** Prefix of every key we write (tests use a unique one per run). Default `sy`. */
  prefix?: string;
}

const REASONS: Record<number, DenyReason> = {
  1: 'rate_limit_exceeded',
  2: 'token_limit_exceeded',
  3: 'concurrency_limit_exceeded',
  4: 'budget_exceeded',
};

type ScriptRunner = (keys: string[], args: Array<string | number>) => Promise<unknown>;

/**
 * Limits shared by every gateway process through Redis. Each operation is one Lua script (atomic).
 * Keys carry the API key id in a hash tag `{id}` so all of one key's counters land in one Redis Cluster
 * slot, which multi-key scripts require.
 */
export class RedisLimitBackend implements LimitBackend {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly scripts: Record<'admit' | 'settle' | 'renew' | 'seed', ScriptRunner>;

  constructor(options: RedisBackendOptions) {
    this.prefix = options.prefix ?? 'sy';
    // Fail fast rather than queue forever when Redis is down or hangs: the request gets an error within
    // about a second, not a hang (the limiter turns it into a 503, or admits under failOpen).
    this.redis = new Redis(options.url, { maxRetriesPerRequest: 1, commandTimeout: 1000, connectTimeout: 1000 });
    this.redis.on('error', () => {}); // reported per command; avoid an unhandled 'error' event
    this.scripts = {
      admit: this.define('syAdmit', ADMIT_SCRIPT),
      settle: this.define('sySettle', SETTLE_SCRIPT),
      renew: this.define('syRenew', RENEW_SCRIPT),
      seed: this.define('sySeed', SEED_SCRIPT),
    };
  }

  /** ioredis sends EVALSHA and falls back to EVAL on NOSCRIPT (after a Redis restart or failover). */
  private define(name: string, lua: string): ScriptRunner {
    this.redis.defineCommand(name, { lua });
    return (keys, args) => {
      const fn = (this.redis as unknown as Record<string, (n: number, ...a: Array<string | number>) => Promise<unknown>>)[name];
      if (fn === undefined) throw new Error(`script ${name} not defined`);
      return fn.call(this.redis, keys.length, ...keys, ...args);
    };
  }

  private key(keyId: string, part: string): string {
    return `${this.prefix}:{${keyId}}:${part}`;
  }

  async admit(input: BackendAdmitInput, seedAllowed: boolean): Promise<BackendAdmitResult> {
    const raw = (await this.scripts.admit(
      [this.key(input.keyId, 'rpm'), this.key(input.keyId, 'tpm'), this.key(input.keyId, 'conc'), this.key(input.keyId, `budget:${input.periodId}`)],
      [
        BUCKET_MS,
        WINDOW_BUCKETS,
        input.admissionId,
        input.rpm ?? 0,
        input.tpm ?? 0,
        input.maxConcurrent ?? 0,
        input.budgetNano === undefined ? -1 : String(input.budgetNano),
        String(input.tokens),
        String(input.costNano),
        input.leaseMs,
        input.periodEndMs,
        seedAllowed ? 1 : 0,
      ],
    )) as number[];
    const [code = 0, retry = -1, bucket = 0, reqUsed = 0, reqReset = 0, tokUsed = 0, tokReset = 0] = raw.map(Number);
    if (code === 5) return { kind: 'need-seed' };
    const requests: WindowState | undefined = input.rpm === undefined ? undefined : { limit: input.rpm, remaining: input.rpm - reqUsed, resetMs: reqReset };
    const tokens: WindowState | undefined = input.tpm === undefined ? undefined : { limit: input.tpm, remaining: input.tpm - tokUsed, resetMs: tokReset };
    const states = { ...(requests === undefined ? {} : { requests }), ...(tokens === undefined ? {} : { tokens }) };
    const reason = REASONS[code];
    if (reason === undefined) return { kind: 'admitted', bucket, ...states };
    return { kind: 'denied', reason, retryAfterMs: retry < 0 ? undefined : retry, ...states };
  }

  async seedBudget(keyId: string, periodId: string, spentNano: number, periodEndMs: number): Promise<void> {
    await this.scripts.seed([this.key(keyId, `budget:${periodId}`)], [String(Math.max(0, Math.round(spentNano))), periodEndMs + 86_400_000]);
  }

  async settle(input: BackendSettleInput): Promise<void> {
    await this.scripts.settle(
      [this.key(input.keyId, 'tpm'), this.key(input.keyId, 'conc'), this.key(input.keyId, `budget:${input.periodId ?? ''}`)],
      [
        BUCKET_MS,
        WINDOW_BUCKETS,
        input.admissionId,
        input.bucket,
        String(Math.round(input.tokenDelta)),
        String(Math.max(0, Math.round(input.reservedNano))),
        String(Math.max(0, Math.round(input.actualNano))),
        input.periodId === undefined ? 0 : 1,
      ],
    );
  }

  async renew(keyId: string, admissionId: string, leaseMs: number): Promise<void> {
    await this.scripts.renew([this.key(keyId, 'conc')], [BUCKET_MS, WINDOW_BUCKETS, admissionId, leaseMs]);
  }

  /** Deletes every key under this backend's prefix (tests only). */
  async deleteAll(): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await this.redis.del(...keys);
    } while (cursor !== '0');
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
