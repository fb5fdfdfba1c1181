import { timingSafeEqual } from 'node:crypto';
import { GatewayError } from '../errors/index.js';
import { displayPrefix, hashSecret, parseKey } from './key-format.js';
import type { KeyStore } from './key-store.js';
import type { ApiKeyRecord } from './types.js';

export interface AuthenticatorOptions {
  /**
   * How long a looked-up key is trusted without asking the database again. This is the bound on how
   * late a revocation made by ANOTHER process takes effect; revocations through this process's
   * `invalidate` take effect at once. Default 5 s.
   */
  cacheTtlMs?: number;
  /** Bound on cached entries (oldest evicted first). Default 10 000. */
  maxEntries?: number;
  now?: () => number;
}

interface Entry {
  /** `undefined`: we asked and there is no such key (cached too, so random ids cannot hammer the DB). */
  record: ApiKeyRecord | undefined;
  fetchedAt: number;
}

/**
 * `authenticate(presentedKey)` → the key's record, or `missing_api_key` / `invalid_api_key`.
 *
 * Error messages name at most the public id, and say "revoked" or "expired" only to a caller who
 * presented the right secret: anyone else learns only that the key is invalid. The presented key is
 * never put in a message or a log line.
 */
export class Authenticator {
  private readonly cache = new Map<string, Entry>();
  /** Lookups under way: a burst of requests with one uncached key asks the database once. */
  private readonly pending = new Map<string, Promise<ApiKeyRecord | undefined>>();
  private anyKey = false;
  private anyKeyCheckedAt = Number.NEGATIVE_INFINITY;
  private anyKeyLookup: Promise<boolean> | undefined;
  private readonly ttl: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(
    private readonly store: KeyStore,
    options: AuthenticatorOptions = {},
  ) {
    this.ttl = options.cacheTtlMs ?? 5000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  async authenticate(presented: string | undefined): Promise<ApiKeyRecord> {
    if (presented === undefined || presented.trim() === '') {
      throw new GatewayError('missing_api_key', 'No API key: send it as "Authorization: Bearer sy-…" or "x-api-key: sy-…"');
    }
    const parsed = parseKey(presented.trim());
    if (parsed === undefined) throw new GatewayError('invalid_api_key', 'Invalid API key');
    const record = await this.lookup(parsed.publicId);
    // Hash first, then compare the fixed-length digests in constant time: the comparison takes the same
    // time wherever the first differing byte is, and wherever the key is unknown we still hash.
    const presentedHash = Buffer.from(hashSecret(parsed.secret), 'hex');
    const storedHash = Buffer.from(record?.secretHash ?? '0'.repeat(64), 'hex');
    const match = storedHash.length === presentedHash.length && timingSafeEqual(storedHash, presentedHash);
    if (record === undefined || !match) throw new GatewayError('invalid_api_key', 'Invalid API key');
    if (record.revokedAt !== undefined) {
      throw new GatewayError('invalid_api_key', `API key ${displayPrefix(record.id)} has been revoked`);
    }
    if (record.expiresAt !== undefined && record.expiresAt <= this.now()) {
      throw new GatewayError('invalid_api_key', `API key ${displayPrefix(record.id)} has expired`);
    }
    return record;
  }

  /**
   * Whether any key exists, for `requireKeys: auto`. Once true it stays true (keys are never deleted);
   * while false it is asked again at most every `cacheTtlMs`, so a key created by another process locks
   * this one within that bound (through this process: at once, via `noteKeyCreated`).
   */
  async keysExist(): Promise<boolean> {
    if (this.anyKey) return true;
    const now = this.now();
    if (now - this.anyKeyCheckedAt < this.ttl) return false;
    this.anyKeyLookup ??= this.store.hasAnyKey().finally(() => (this.anyKeyLookup = undefined));
    this.anyKey = await this.anyKeyLookup;
    this.anyKeyCheckedAt = now;
    return this.anyKey;
  }

  noteKeyCreated(): void {
    this.anyKey = true;
  }

  /** Forgets a key at once (call after revoking or changing it through this process). */
  invalidate(publicId: string): void {
    this.cache.delete(publicId);
  }

  clear(): void {
    this.cache.clear();
  }

  private async lookup(publicId: string): Promise<ApiKeyRecord | undefined> {
    const now = this.now();
    const hit = this.cache.get(publicId);
    if (hit !== undefined && now - hit.fetchedAt < this.ttl) return hit.record;
    let lookup = this.pending.get(publicId);
    if (lookup === undefined) {
      lookup = this.store.getKey(publicId).finally(() => this.pending.delete(publicId));
      this.pending.set(publicId, lookup);
    }
    const record = await lookup;
    this.cache.delete(publicId);
    this.cache.set(publicId, { record, fetchedAt: now });
    if (this.cache.size > this.maxEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    return record;
  }
}

/**
 * The key a client presented: `Authorization: Bearer …` (OpenAI SDKs) or `x-api-key` (Anthropic SDKs).
 * Header names are expected lower-case (Node's `IncomingMessage.headers`).
 */
export function presentedKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const auth = first(headers['authorization']);
  if (auth !== undefined) {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (m?.[1] !== undefined) return m[1].trim();
  }
  const apiKey = first(headers['x-api-key']);
  return apiKey === undefined || apiKey.trim() === '' ? undefined : apiKey.trim();
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
