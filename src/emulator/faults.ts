import { createRng, pick, type Rng } from './rng.js';

/**
 * Fault injection for resilience tests. Each generation request draws one number from the replica's
 * seeded rng and falls into at most one band, in this order: error, hang, disconnect, slow first byte —
 * so the same seed and the same request order give the same faults. `/health`, `/metrics`, `/v1/models`
 * and `/kv-events` are never faulted (except by the startup delay, which holds every request).
 */
export interface FaultOptions {
  /** Fraction of requests answered with an error status instead. */
  errorRate?: number;
  /** Statuses to answer with (one drawn per faulted request): 500, 503, 429. Default [500]. */
  errorStatuses?: number[];
  /** `retry-after` seconds on an injected 429 (and 503). Default 1. */
  retryAfterSeconds?: number;
  /** Fraction of requests that never get a first byte (held until the client gives up). */
  hangRate?: number;
  /** Fraction of requests whose connection is cut mid-response. */
  disconnectRate?: number;
  /** Output tokens sent before the cut; default half the planned output (at least 1). */
  disconnectAfterTokens?: number;
  /** Fraction of requests delayed by `slowFirstByteMs` before anything is sent. Default 1 when the delay is set. */
  slowRate?: number;
  slowFirstByteMs?: number;
  /** Wall ms after start during which every request is held (a replica still loading its weights). */
  startupDelayMs?: number;
}

export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'error'; status: number; headers: Record<string, string> }
  | { kind: 'hang' }
  | { kind: 'disconnect'; afterTokens: number | undefined }
  | { kind: 'slow'; delayMs: number };

export const ERROR_STATUSES = [429, 500, 503] as const;

export function validateFaults(f: FaultOptions, where: string): void {
  const rate = (name: keyof FaultOptions): void => {
    const v = f[name];
    if (v !== undefined && (typeof v !== 'number' || !(v >= 0 && v <= 1))) throw new Error(`${where}: ${name} must be between 0 and 1`);
  };
  rate('errorRate');
  rate('hangRate');
  rate('disconnectRate');
  rate('slowRate');
  const total = (f.errorRate ?? 0) + (f.hangRate ?? 0) + (f.disconnectRate ?? 0);
  if (total > 1) throw new Error(`${where}: errorRate + hangRate + disconnectRate must not exceed 1`);
  for (const s of f.errorStatuses ?? []) {
    if (!(ERROR_STATUSES as readonly number[]).includes(s)) throw new Error(`${where}: error status ${s} is not one of ${ERROR_STATUSES.join(', ')}`);
  }
  for (const name of ['retryAfterSeconds', 'slowFirstByteMs', 'startupDelayMs', 'disconnectAfterTokens'] as const) {
    const v = f[name];
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) throw new Error(`${where}: ${name} must be a non-negative number`);
  }
}

export class FaultInjector {
  readonly options: FaultOptions;
  #rng: Rng;

  constructor(options: FaultOptions, seed: number) {
    this.options = options;
    this.#rng = createRng(seed ^ 0x5eed);
  }

  decide(): FaultDecision {
    const f = this.options;
    const u = this.#rng();
    const errorRate = f.errorRate ?? 0;
    const hangRate = f.hangRate ?? 0;
    const disconnectRate = f.disconnectRate ?? 0;
    if (u < errorRate) {
      const status = pick(this.#rng, f.errorStatuses !== undefined && f.errorStatuses.length > 0 ? f.errorStatuses : [500]);
      const headers: Record<string, string> = {};
      if (status === 429 || status === 503) headers['retry-after'] = String(f.retryAfterSeconds ?? 1);
      return { kind: 'error', status, headers };
    }
    if (u < errorRate + hangRate) return { kind: 'hang' };
    if (u < errorRate + hangRate + disconnectRate) return { kind: 'disconnect', afterTokens: f.disconnectAfterTokens };
    if (f.slowFirstByteMs !== undefined && f.slowFirstByteMs > 0 && this.#rng() < (f.slowRate ?? 1)) {
      return { kind: 'slow', delayMs: f.slowFirstByteMs };
    }
    return { kind: 'none' };
  }
}

export function faultMessage(status: number): string {
  if (status === 429) return 'Emulated rate limit (Switchyard fault injection); retry after the retry-after header.';
  if (status === 503) return 'Emulated overload: the engine is not accepting requests (Switchyard fault injection).';
  return 'Emulated internal server error (Switchyard fault injection).';
}
