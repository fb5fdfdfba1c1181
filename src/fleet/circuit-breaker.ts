import type { Clock } from '../spec/clock.js';

export interface BreakerOptions {
  /** Consecutive failures that open the breaker. */
  failureThreshold: number;
  /** Time an open breaker waits before letting a single probe through (half-open), ms. */
  cooldownMs: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * Passive health for one replica: closed → (N consecutive failures) → open → (cool-down elapsed) →
 * half-open, where exactly one probe request is let through; its success closes the breaker, its failure
 * opens it again for another cool-down. An upstream's own `retry-after` opens it for that long instead
 * (a 429 says "not now", not "broken"). The shape follows Envoy's outlier detection and Hystrix.
 */
export class CircuitBreaker {
  #failures = 0;
  #openUntil = 0;
  #state: BreakerState = 'closed';
  #probeInFlight = false;

  constructor(
    readonly options: BreakerOptions,
    private readonly clock: Clock,
  ) {}

  get state(): BreakerState {
    if (this.#state === 'open' && this.clock.now() >= this.#openUntil) return 'half-open';
    return this.#state;
  }

  get consecutiveFailures(): number {
    return this.#failures;
  }

  /** Whether a request may be sent now (without claiming the half-open probe). */
  available(): boolean {
    const state = this.state;
    return state === 'closed' || (state === 'half-open' && !this.#probeInFlight);
  }

  /** Called when a request is sent; in half-open, claims the single probe slot. */
  onDispatch(): void {
    if (this.state === 'half-open') {
      this.#state = 'half-open';
      this.#probeInFlight = true;
    }
  }

  onSuccess(): void {
    this.#failures = 0;
    this.#openUntil = 0;
    this.#state = 'closed';
    this.#probeInFlight = false;
  }

  /** A failure that says the replica is unwell (connect error, timeout, 5xx). */
  onFailure(): void {
    this.#failures++;
    const wasProbe = this.#probeInFlight;
    this.#probeInFlight = false;
    if (wasProbe || this.#state === 'half-open' || this.#failures >= this.options.failureThreshold) {
      this.#open(this.options.cooldownMs);
    }
  }

  /** The call ended without saying anything about the replica (client gone, 4xx): free the probe slot. */
  onNeutral(): void {
    this.#probeInFlight = false;
  }

  /** The upstream asked us to wait (429/503 with retry-after): no new requests until then. */
  pauseFor(ms: number): void {
    this.#probeInFlight = false;
    this.#open(ms);
  }

  #open(ms: number): void {
    this.#state = 'open';
    this.#openUntil = Math.max(this.#openUntil, this.clock.now() + ms);
  }
}
