import type { ServerResponse } from 'node:http';
import { emptyEngineState } from '../engine/index.js';
import type { Engine, EngineState } from '../engine/types.js';
import { FaultInjector, type FaultOptions } from './faults.js';
import { KvEventHub } from './kv-events.js';
import { EngineMetrics } from './metrics.js';
import { Pacer } from './pacer.js';

/** One emulated replica: an engine model, its pacer, metrics, KV-event hub and fault injector. */
export interface ReplicaOptions {
  id: string;
  pool: string;
  engine: Engine;
  /** Names the replica answers to (vLLM `--served-model-name`); the first is reported in /metrics. */
  servedModelNames: string[];
  /** Engine ms per wall ms. */
  speed: number;
  seed: number;
  faults: FaultOptions;
}

export class Replica {
  readonly id: string;
  readonly pool: string;
  readonly engine: Engine;
  readonly servedModelNames: string[];
  readonly pacer: Pacer;
  readonly metrics: EngineMetrics;
  readonly kv: KvEventHub;
  readonly faults: FaultInjector;
  /** Wall time (performance.now) before which requests are held (startup-delay fault). */
  readonly readyAtWall: number;
  /** Responses held open by a hang fault or still streaming; ended on close. */
  readonly open = new Set<ServerResponse>();
  readonly createdUnix = Math.floor(Date.now() / 1000);
  readonly #state = emptyEngineState();

  constructor(options: ReplicaOptions) {
    this.id = options.id;
    this.pool = options.pool;
    this.engine = options.engine;
    this.servedModelNames = options.servedModelNames;
    this.pacer = new Pacer(options.engine, { speed: options.speed });
    this.kv = new KvEventHub(options.engine.spec.engine.blockSize);
    this.metrics = new EngineMetrics({
      spec: options.engine.spec,
      servedModelName: options.servedModelNames[0] ?? options.engine.spec.model.id,
      replicaId: options.id,
      pool: options.pool,
      state: () => this.state(),
      nowMs: () => this.pacer.now(),
    });
    this.pacer.onStep((step) => {
      this.metrics.onStep(step);
      this.kv.onStep(step);
    });
    this.faults = new FaultInjector(options.faults, options.seed);
    this.readyAtWall = performance.now() + (options.faults.startupDelayMs ?? 0);
  }

  /** The engine's state now, read into one object the replica reuses: valid until the next call. */
  state(): EngineState {
    return this.engine.state(this.pacer.now(), this.#state);
  }

  /**
   * vLLM's `POST /reset_prefix_cache`: empties the engine's prefix cache when no request holds blocks, and
   * tells KV-event subscribers with one `AllBlocksCleared`. False (nothing changed) while blocks are in use.
   */
  resetPrefixCache(): boolean {
    if (!this.engine.resetPrefixCache(this.pacer.now())) return false;
    this.kv.publish([{ type: 'AllBlocksCleared' }]);
    return true;
  }

  /** Resolves once the startup delay (if any) has passed. */
  ready(): Promise<void> {
    const wait = this.readyAtWall - performance.now();
    if (wait <= 0) return Promise.resolve();
    return new Promise((resolve) => setTimeout(resolve, wait).unref());
  }

  close(): void {
    this.pacer.close();
    this.kv.close();
    for (const res of this.open) res.destroy();
    this.open.clear();
  }
}
