import type { BackendConfig, Config } from '../config/schema.js';
import { estimateCost, serviceTimeCost, tokenCost, type ModelPrice } from '../ledger/pricing.js';
import type { CompletionRecord } from './lifecycle.js';

/** Prices from the config: token prices for API pools, $/hour by service time for self-hosted ones. */
export class PricingView {
  constructor(
    private readonly config: Config,
    private readonly backends: ReadonlyMap<string, BackendConfig>,
    private readonly replicaInFlight: ((replicaId: string) => number) | undefined,
  ) {}

  /** Worst-case cost over the model's pools that have token prices; 0 when none has (self-hosted). */
  estimate(model: string, promptTokens: number, maxOutputTokens: number): number {
    const route = this.config.models.find((m) => m.name === model || m.aliases.includes(model));
    let worst = 0;
    for (const name of route?.backends ?? []) {
      const price = this.backends.get(name)?.price;
      if (price !== undefined) worst = Math.max(worst, estimateCost(toPrice(price), promptTokens, maxOutputTokens));
    }
    return worst;
  }

  /** Dollars for a finished request; undefined when unknown. A request never dispatched cost nothing. */
  cost(record: CompletionRecord): number | undefined {
    if (record.pool === undefined) return 0;
    const backend = this.backends.get(record.pool);
    if (backend === undefined) return undefined;
    if (backend.price !== undefined) {
      try {
        return tokenCost(record.usage, toPrice(backend.price))?.totalUsd;
      } catch {
        return undefined; // inconsistent usage from an adapter: no bill rather than a wrong one
      }
    }
    if (backend.usdPerHour > 0) return serviceTimeCost(backend.usdPerHour, record.latencyMs, this.share(record));
    return undefined;
  }

  /** Joules for a self-hosted request: its share of the replica's full-load power over its service time (an upper bound). */
  energy(record: CompletionRecord): number | undefined {
    const backend = record.pool === undefined ? undefined : this.backends.get(record.pool);
    if (backend === undefined || backend.price !== undefined || backend.watts <= 0) return undefined;
    return (backend.watts * record.latencyMs * this.share(record)) / 1000;
  }

  /**
   * The request's share of its replica: 1 / requests in flight there when it ends (itself included).
   * An estimate — the engine model attributes exact per-step shares in the emulator and simulator.
   */
  private share(record: CompletionRecord): number {
    if (record.replica === undefined || this.replicaInFlight === undefined) return 1;
    return 1 / Math.max(1, this.replicaInFlight(record.replica) + 1);
  }
}

function toPrice(p: NonNullable<BackendConfig['price']>): ModelPrice {
  const price: ModelPrice = { inputPerMTok: p.inputPerMTok, outputPerMTok: p.outputPerMTok };
  if (p.cachedInputPerMTok !== undefined) price.cachedInputPerMTok = p.cachedInputPerMTok;
  if (p.cacheWritePerMTok !== undefined) price.cacheWritePerMTok = p.cacheWritePerMTok;
  return price;
}
