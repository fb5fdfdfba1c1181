import type { Clock } from '../spec/clock.js';
import type { HttpTransport } from '../spec/transport.js';
import { engineLoad, LOAD_METRIC_NAMES, type EngineLoad } from './engine-load.js';
import type { MetricsEndpoint } from './live-endpoints.js';
import { errorText, pause, type FleetLogger } from './monitor-support.js';
import { parsePrometheusText } from './prometheus-parse.js';
import type { Replica } from './replica.js';

export interface ScrapeStatus {
  scrapes: number;
  failures: number;
  /** Consecutive failures now. */
  failing: number;
  lastOkAtMs?: number;
  lastError?: string;
  /** The engine's last report. */
  load?: EngineLoad;
  /** Whether the replica is flagged stale (its numbers too old; routing uses our own accounting). */
  stale: boolean;
}

const MAX_FAILURE_INTERVAL_MS = 1_000;

/**
 * Reads one replica's `/metrics` every `intervalMs` (llm-d refreshes every 50 ms; we default to 100 ms)
 * and hands the load to `Replica.observe`. One scrape at a time per replica: the next starts `intervalMs`
 * after the previous one started, or at once if it took longer, never beside it. Failed scrapes back off
 * (doubling, up to 1 s) so a dead replica is not polled at 10 Hz. Numbers older than `staleAfterMs` are
 * dropped for the gateway's own in-flight accounting (`observe(undefined)`), and the replica is flagged
 * stale in the log and in the gateway's /metrics until a scrape succeeds again.
 */
export class MetricsScraper {
  readonly status: ScrapeStatus = { scrapes: 0, failures: 0, failing: 0, stale: false };
  readonly #abort = new AbortController();
  #loop: Promise<void> | undefined;

  constructor(
    readonly replica: Replica,
    readonly endpoint: MetricsEndpoint,
    private readonly transport: HttpTransport,
    private readonly clock: Clock,
    private readonly logger: FleetLogger,
  ) {
    replica.staleAfterMs = endpoint.staleAfterMs;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops the loop and waits for a scrape in flight to end. */
  async close(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      const started = this.clock.now();
      await this.scrapeOnce();
      this.#checkStale();
      const interval = this.status.failing === 0 ? this.endpoint.intervalMs : Math.min(MAX_FAILURE_INTERVAL_MS, this.endpoint.intervalMs * 2 ** this.status.failing);
      await pause(Math.max(this.endpoint.intervalMs, interval) - (this.clock.now() - started), signal);
    }
  }

  /** One scrape; true when the replica's load was updated. */
  async scrapeOnce(): Promise<boolean> {
    const mark = this.replica.mark();
    this.status.scrapes++;
    try {
      const timeout = AbortSignal.timeout(this.endpoint.timeoutMs);
      const response = await this.transport({
        method: 'GET',
        url: this.endpoint.url,
        headers: { accept: 'text/plain;version=0.0.4' },
        signal: AbortSignal.any([timeout, this.#abort.signal]),
      });
      const text = await response.text();
      if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
      const load = engineLoad(parsePrometheusText(text, { only: (name) => LOAD_METRIC_NAMES.has(name) }).samples);
      if (load === undefined) throw new Error('no vLLM or SGLang running/waiting gauges on the page');
      this.replica.observe(load, mark);
      this.status.load = load;
      this.status.lastOkAtMs = this.clock.now();
      if (this.status.failing > 0) this.logger.info('replica metrics scrape recovered', { replica: this.replica.spec.id, after: this.status.failing });
      this.status.failing = 0;
      return true;
    } catch (error) {
      if (this.#abort.signal.aborted) return false;
      this.status.failures++;
      this.status.failing++;
      this.status.lastError = errorText(error);
      // One line when a replica starts failing, not one per 100 ms.
      if (this.status.failing === 1) this.logger.warn('replica metrics scrape failed', { replica: this.replica.spec.id, url: this.endpoint.url, error: this.status.lastError });
      return false;
    }
  }

  #checkStale(): void {
    const stale = this.replica.isStale();
    if (stale === this.status.stale) return;
    this.status.stale = stale;
    if (stale) {
      this.replica.observe(undefined);
      const at = this.status.lastOkAtMs;
      this.logger.warn('replica metrics stale: routing on the gateway\'s own in-flight accounting', {
        replica: this.replica.spec.id,
        ageMs: at === undefined ? null : Math.round(this.clock.now() - at),
        staleAfterMs: this.endpoint.staleAfterMs,
      });
    } else this.logger.info('replica metrics fresh again', { replica: this.replica.spec.id });
  }
}
