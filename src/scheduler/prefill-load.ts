/**
 * How much of each replica's recent time went to prefill work the policy sent it: an exponentially decayed
 * sum of estimated prefill milliseconds over a time constant τ, i.e. the fraction of the last ~τ spent
 * prefilling. With chunked prefill every step that carries a prefill chunk also carries the running
 * batch's decode tokens, so a replica that spends a fraction ρ of its time prefilling stretches each
 * sequence's time per output token (see switchyard-estimate.ts). Time comes only from the caller.
 */
export class PrefillLoad {
  readonly tauMs: number;
  readonly #load = new Map<string, LoadCell>();

  constructor(tauMs = 10_000) {
    this.tauMs = tauMs;
  }

  /** Recent fraction of time the replica spends prefilling (0 when nothing was sent lately). */
  share(replicaId: string, now: number): number {
    const load = this.#load.get(replicaId);
    return load === undefined ? 0 : this.shareOf(load, now);
  }

  /** The replica's live cell (created empty): a caller may hold it and read `shareOf` without a look-up. */
  cell(replicaId: string): LoadCell {
    let load = this.#load.get(replicaId);
    if (load === undefined) {
      load = { value: 0, at: -Infinity };
      this.#load.set(replicaId, load);
    }
    return load;
  }

  shareOf(load: LoadCell, now: number): number {
    if (load.value === 0) return 0;
    const elapsed = now - load.at;
    return elapsed > 0 ? load.value * Math.exp(-elapsed / this.tauMs) : load.value;
  }

  /** Adds `prefillMs` of work sent to the replica at `now`. */
  add(replicaId: string, now: number, prefillMs: number): void {
    const load = this.cell(replicaId);
    load.value = this.shareOf(load, now) + prefillMs / this.tauMs;
    load.at = Math.max(now, load.at);
  }

  /** What the share would be with `prefillMs` more work added now. */
  shareWith(replicaId: string, now: number, prefillMs: number): number {
    return this.share(replicaId, now) + prefillMs / this.tauMs;
  }
}

export interface LoadCell {
  value: number;
  at: number;
}
