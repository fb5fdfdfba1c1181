/** Pieces shared by the live monitors (scraper, KV subscriber, health checker). */

/** The structured logger the monitors write to (the gateway's logger satisfies it). */
export interface FleetLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export const SILENT_LOGGER: FleetLogger = { debug: () => {}, info: () => {}, warn: () => {} };

/** Waits `ms`, or less if `signal` aborts; never rejects. The timer does not keep the process alive. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    timer.unref();
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Exponential backoff with full jitter (the AWS Architecture Blog's "Exponential Backoff and Jitter"):
 * attempt n waits a uniform draw in [base, min(cap, base·2ⁿ)], so replicas that failed together do not
 * retry in lockstep.
 */
export function backoffMs(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(30, attempt));
  return baseMs + random() * Math.max(0, ceiling - baseMs);
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
