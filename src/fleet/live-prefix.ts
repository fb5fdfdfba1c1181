import type { PrefixLookup } from '../spec/routing.js';
import type { PrecisePrefixIndex } from '../scheduler/prefix/precise-index.js';

/** llm-d's speculative entries live 2 s (reference/scheduling.md §1.5). */
export const SPECULATIVE_TTL_MS = 2_000;
/** How long after a dispatch we look for the engine's word on the request's first block. */
export const CONFIRM_AFTER_MS = 5_000;
/** Checks per pool remembered; a full window without one confirmation distrusts the pool's hashes. */
export const CONFIRM_WINDOW = 16;
const SWEEP_EVERY = 4_096;

interface PendingCheck {
  replicaId: string;
  pool: string;
  hash: number;
  dueAt: number;
}

/**
 * What policies ask about cached prefixes when KV events are live: the engine's word (the precise index),
 * plus speculative entries for requests this gateway just dispatched. A KV event arrives only after the
 * engine has prefilled and stored the blocks — tens to hundreds of ms after the routing decision — so
 * without them a burst sharing one prefix would be spread before the first event says where the prefix
 * went. llm-d's precise scorer does the same ("speculative indexing": predicted entries written on the
 * routing decision, expiring after 2 s), after which only what the engine reported counts.
 *
 * The precise index only helps if the gateway's block hashes are the engine's: same tokenizer, same
 * rendering of the prompt (chat template), same block size. So it checks: `CONFIRM_AFTER_MS` after a
 * dispatch, does the engine report the request's first block on that replica? A pool whose last
 * `CONFIRM_WINDOW` checks found none is not trusted (`trusted(pool)`), and the fleet hands policies their
 * own approximate index instead; one confirmation trusts it again.
 */
export class LivePrefixLookup implements PrefixLookup {
  /** replica → block hash → expiry (clock ms). */
  readonly #speculative = new Map<string, Map<number, number>>();
  readonly #pending: PendingCheck[] = [];
  #pendingHead = 0;
  /** pool → recent check results (1 confirmed, 0 not), newest last. */
  readonly #window = new Map<string, number[]>();
  #inserts = 0;
  confirmed = 0;
  unconfirmed = 0;
  /** Told when a pool's hashes become distrusted or trusted again (the live fleet logs it). */
  onTrustChange: ((pool: string, trusted: boolean) => void) | undefined;

  constructor(
    readonly precise: PrecisePrefixIndex,
    private readonly now: () => number,
    readonly ttlMs = SPECULATIVE_TTL_MS,
  ) {}

  /** The request was sent to the replica: its blocks are expected there shortly. */
  speculate(replicaId: string, pool: string, hashes: readonly number[]): void {
    if (hashes.length === 0) return;
    const now = this.now();
    this.#settle(now);
    this.#pending.push({ replicaId, pool, hash: hashes[0] as number, dueAt: now + CONFIRM_AFTER_MS });
    if (this.ttlMs <= 0) return;
    let entries = this.#speculative.get(replicaId);
    if (entries === undefined) {
      entries = new Map();
      this.#speculative.set(replicaId, entries);
    }
    const expires = now + this.ttlMs;
    for (const hash of hashes) entries.set(hash, expires);
    this.#inserts += hashes.length;
    if (this.#inserts >= SWEEP_EVERY) this.#sweep(now);
  }

  /** Whether the engines of `pool` have been seen to store the blocks the gateway hashes. */
  trusted(pool: string): boolean {
    this.#settle(this.now());
    const window = this.#window.get(pool);
    return window === undefined || windowTrusts(window);
  }

  matchedBlocks(replicaId: string, hashes: readonly number[]): number {
    const held = this.precise.matchedBlocks(replicaId, hashes);
    const entries = this.#speculative.get(replicaId);
    if (entries === undefined || entries.size === 0) return held;
    // The union of the two is a prefix too: precise blocks [0, held), then any run the speculation covers.
    const now = this.now();
    let k = held;
    while (k < hashes.length) {
      const expires = entries.get(hashes[k] as number);
      if (expires === undefined || expires <= now) break;
      k++;
    }
    return k;
  }

  /** Resolves the checks that are due: is the request's first block held where it was sent? */
  #settle(now: number): void {
    const pending = this.#pending;
    while (this.#pendingHead < pending.length && (pending[this.#pendingHead] as PendingCheck).dueAt <= now) {
      const check = pending[this.#pendingHead++] as PendingCheck;
      const held = this.precise.matchedBlocks(check.replicaId, [check.hash]) === 1 ? 1 : 0;
      if (held === 1) this.confirmed++;
      else this.unconfirmed++;
      let window = this.#window.get(check.pool);
      if (window === undefined) {
        window = [];
        this.#window.set(check.pool, window);
      }
      const before = windowTrusts(window);
      window.push(held);
      if (window.length > CONFIRM_WINDOW) window.shift();
      const after = windowTrusts(window);
      if (before !== after) this.onTrustChange?.(check.pool, after);
    }
    if (this.#pendingHead > 1024 && this.#pendingHead * 2 > pending.length) {
      pending.splice(0, this.#pendingHead);
      this.#pendingHead = 0;
    }
  }

  #sweep(now: number): void {
    this.#inserts = 0;
    for (const [replica, entries] of this.#speculative) {
      for (const [hash, expires] of entries) if (expires <= now) entries.delete(hash);
      if (entries.size === 0) this.#speculative.delete(replica);
    }
  }
}

function windowTrusts(window: readonly number[]): boolean {
  return window.length < CONFIRM_WINDOW || window.includes(1);
}
