import type { HttpTransport } from '../spec/transport.js';
import type { HealthEndpoint } from './live-endpoints.js';
import { errorText, pause, type FleetLogger } from './monitor-support.js';
import type { Replica } from './replica.js';

export interface HealthStatus {
  checks: number;
  failures: number;
  /** Consecutive passes or failures, whichever is running now. */
  streak: number;
  lastError?: string;
  /** The endpoint answered 404/405/501: the replica has no health check there, so none is made. */
  unsupported: boolean;
}

/**
 * Active health checks (Envoy's and Kubernetes' readiness shape): `GET <health url>` every `intervalMs`;
 * `unhealthyThreshold` failures in a row (connect error, timeout, non-2xx) take the replica out of
 * routing (`Replica.probe = 'down'`), `healthyThreshold` passes in a row put it back. They complement the
 * circuit breaker, which only learns from live traffic: a replica that died while idle is out before a
 * client request finds out, and a replica whose breaker is open is seen to be back. An endpoint that
 * answers 404/405/501 has no health route; the replica keeps `probe = 'unknown'` and is not checked again.
 */
export class HealthChecker {
  readonly status: HealthStatus = { checks: 0, failures: 0, streak: 0, unsupported: false };
  readonly #abort = new AbortController();
  #loop: Promise<void> | undefined;

  constructor(
    readonly replica: Replica,
    readonly endpoint: HealthEndpoint,
    private readonly transport: HttpTransport,
    private readonly logger: FleetLogger,
  ) {}

  start(): void {
    this.#loop ??= this.#run();
  }

  async close(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    while (!signal.aborted && !this.status.unsupported) {
      await this.checkOnce();
      await pause(this.endpoint.intervalMs, signal);
    }
  }

  /** One check; returns whether it passed (undefined when the replica has no health route). */
  async checkOnce(): Promise<boolean | undefined> {
    this.status.checks++;
    let passed: boolean;
    try {
      const response = await this.transport({
        method: 'GET',
        url: this.endpoint.url,
        headers: {},
        signal: AbortSignal.any([AbortSignal.timeout(this.endpoint.timeoutMs), this.#abort.signal]),
      });
      await response.text();
      if (response.status === 404 || response.status === 405 || response.status === 501) {
        this.status.unsupported = true;
        this.replica.probe = 'unknown';
        this.logger.info('replica has no health endpoint; relying on the circuit breaker', { replica: this.replica.spec.id, url: this.endpoint.url, status: response.status });
        return undefined;
      }
      passed = response.status >= 200 && response.status < 300;
      if (!passed) this.status.lastError = `HTTP ${response.status}`;
    } catch (error) {
      if (this.#abort.signal.aborted) return false;
      passed = false;
      this.status.lastError = errorText(error);
    }
    this.#verdict(passed);
    return passed;
  }

  #verdict(passed: boolean): void {
    const replica = this.replica;
    if (passed) this.status.streak = Math.max(0, this.status.streak) + 1;
    else {
      this.status.failures++;
      this.status.streak = Math.min(0, this.status.streak) - 1;
    }
    // A replica not yet judged joins on its first pass; one that was taken out needs healthyThreshold.
    const needed = replica.probe === 'down' ? this.endpoint.healthyThreshold : 1;
    if (passed && replica.probe !== 'up' && this.status.streak >= needed) {
      if (replica.probe === 'down') this.logger.info('replica passed its health checks: back in routing', { replica: replica.spec.id });
      replica.probe = 'up';
    } else if (!passed && replica.probe !== 'down' && -this.status.streak >= this.endpoint.unhealthyThreshold) {
      replica.probe = 'down';
      this.logger.warn('replica failed its health checks: taken out of routing', { replica: replica.spec.id, failures: -this.status.streak, error: this.status.lastError ?? null });
    }
  }
}
