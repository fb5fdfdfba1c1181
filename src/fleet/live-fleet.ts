import type { Clock } from '../spec/clock.js';
import type { HttpTransport } from '../spec/transport.js';
import type { Fleet } from './fleet.js';
import { HealthChecker } from './health-checker.js';
import { KvEventSubscriber, type KvSubscriberOptions } from './kv-subscriber.js';
import { MetricsScraper } from './metrics-scraper.js';
import type { FleetLogger } from './monitor-support.js';
import type { Replica } from './replica.js';

/** The live monitors of one replica; each is absent when the replica does not publish that signal. */
export interface ReplicaMonitors {
  replica: Replica;
  metrics?: MetricsScraper;
  kvEvents?: KvEventSubscriber;
  health?: HealthChecker;
}

export interface LiveFleetOptions {
  transport: HttpTransport;
  clock: Clock;
  logger: FleetLogger;
  kvEvents?: KvSubscriberOptions;
}

/**
 * Keeps the fleet's view of self-hosted replicas live: for every replica whose spec has `live` endpoints,
 * a /metrics scraper (engine load → `Replica.observe`), a KV event subscriber (→ the fleet's precise
 * prefix index) and an active health check (→ `Replica.probe`). Replicas without endpoints (provider
 * APIs) run on the gateway's own in-flight accounting and their circuit breaker alone.
 */
export class LiveFleet {
  readonly monitors: ReplicaMonitors[] = [];
  #started = false;

  constructor(
    readonly fleet: Fleet,
    options: LiveFleetOptions,
  ) {
    const { transport, clock, logger } = options;
    fleet.livePrefix.onTrustChange = (pool, trusted) => {
      if (trusted) logger.info('KV events confirm the gateway\'s prefix hashes again: precise prefix index in use', { pool });
      else logger.warn('KV events never confirm the gateway\'s prefix hashes (another tokenizer, chat template or block size?): using the approximate prefix index', { pool });
    };
    for (const replica of fleet.all()) {
      const live = replica.spec.live;
      if (live === undefined) continue;
      const monitors: ReplicaMonitors = { replica };
      if (live.metrics !== undefined) monitors.metrics = new MetricsScraper(replica, live.metrics, transport, clock, logger);
      if (live.kvEvents !== undefined) monitors.kvEvents = new KvEventSubscriber(replica, live.kvEvents, fleet.prefix, transport, logger, options.kvEvents);
      if (live.health !== undefined) monitors.health = new HealthChecker(replica, live.health, transport, logger);
      this.monitors.push(monitors);
    }
  }

  get size(): number {
    return this.monitors.length;
  }

  monitorsOf(replicaId: string): ReplicaMonitors | undefined {
    return this.monitors.find((m) => m.replica.spec.id === replicaId);
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    for (const m of this.monitors) {
      m.health?.start();
      m.metrics?.start();
      m.kvEvents?.start();
    }
  }

  /** Stops every monitor and waits for requests in flight to end. */
  async close(): Promise<void> {
    await Promise.all(this.monitors.flatMap((m) => [m.metrics?.close(), m.kvEvents?.close(), m.health?.close()]));
  }
}
