import type { Engine, EngineEvent, EngineState, ReplicaSpec, StepResult } from '../engine/types.js';
import { emptyEngineState } from '../engine/index.js';
import type { ReplicaState } from '../spec/replica.js';
import type { PrefixLookup } from '../spec/routing.js';
import { NumberSet } from './hash-set.js';
import type { SimPool } from './pool.js';

export type EngineFactory = (spec: ReplicaSpec) => Engine;

/**
 * Every replica of the fleet: its engine, the ReplicaState the policy sees (one object per replica, updated
 * in place after each change so building a FleetView costs nothing), and, when asked, a precise prefix index
 * fed by the engines' KV events (the simulator's equivalent of vLLM's KV-event stream, without delay).
 */
export class ReplicaSet implements PrefixLookup {
  readonly engines: Engine[] = [];
  readonly states: ReplicaState[] = [];
  readonly poolOf: Int32Array;
  /** A step is in flight (or a wake-up is scheduled) for the replica. */
  readonly stepping: Uint8Array;
  /** The step in flight: its events apply when it ends. */
  readonly inFlight: (StepResult | undefined)[];
  /** One StepResult per replica, handed to `engine.step(now, into)` so steps allocate no result object. */
  readonly stepResults: StepResult[];
  /**
   * When each replica got its first request (NaN until then). The engine starts its energy clock there, but
   * a replica draws idle power from time 0, so the summary adds the idle energy before it.
   */
  readonly firstAddMs: Float64Array;
  /** Requests waiting in the engines of each pool, summed (for the timeline). */
  readonly poolWaiting: Float64Array;
  readonly #index = new Map<string, number>();
  readonly #scratch = emptyEngineState();
  readonly #cached: NumberSet[] | undefined;
  /** Candidates per public model name. */
  readonly #byModel = new Map<string, ReplicaState[]>();

  constructor(pools: readonly SimPool[], createEngine: EngineFactory, preciseIndex: boolean) {
    const total = pools.reduce((n, p) => n + p.replicas, 0);
    this.poolOf = new Int32Array(total);
    this.stepping = new Uint8Array(total);
    this.poolWaiting = new Float64Array(pools.length);
    this.firstAddMs = new Float64Array(total).fill(Number.NaN);
    this.inFlight = new Array<StepResult | undefined>(total).fill(undefined);
    this.stepResults = Array.from({ length: total }, () => ({ startMs: 0, endMs: 0, prefillTokens: 0, decodeTokens: 0, energyJ: 0, events: [] }));
    this.#cached = preciseIndex ? Array.from({ length: total }, () => new NumberSet(256)) : undefined;
    pools.forEach((pool, p) => {
      for (let k = 0; k < pool.replicas; k++) {
        const i = this.engines.length;
        const id = `${pool.name}-${k}`;
        this.engines.push(createEngine(pool.spec));
        this.poolOf[i] = p;
        this.#index.set(id, i);
        const state: ReplicaState = {
          id,
          pool: pool.name,
          model: pool.model,
          hardware: pool.hardware,
          modelProfile: pool.spec.model.id,
          tensorParallel: pool.spec.tensorParallel,
          usdPerHour: pool.usdPerHour,
          idleWatts: pool.idleWatts,
          maxWatts: pool.maxWatts,
          running: 0,
          waiting: 0,
          pendingPrefillTokens: 0,
          kvUsage: 0,
          kvBlocksTotal: 0,
          blockSize: pool.spec.engine.blockSize,
          maxRunning: pool.spec.engine.maxNumSeqs,
          healthy: true,
          updatedAtMs: 0,
        };
        this.states.push(state);
        const list = this.#byModel.get(pool.model) ?? [];
        list.push(state);
        this.#byModel.set(pool.model, list);
        this.refresh(i, 0);
      }
    });
  }

  get size(): number {
    return this.engines.length;
  }

  get all(): readonly ReplicaState[] {
    return this.states;
  }

  /** Replicas serving `model`; every replica when the request names none. */
  candidates(model: string | undefined): readonly ReplicaState[] {
    return model === undefined ? this.states : (this.#byModel.get(model) ?? []);
  }

  indexOf(replicaId: string): number | undefined {
    return this.#index.get(replicaId);
  }

  /**
   * Copies the engine's live numbers into the policy's view of replica i. Runs after every step and dispatch,
   * so it reads the state into one reused object (the returned state is valid until the next refresh).
   */
  refresh(i: number, nowMs: number): EngineState {
    // Read the returned object, not the scratch: an engine wrapper may ignore `into` and return a fresh one.
    const engineState = (this.engines[i] as Engine).state(nowMs, this.#scratch);
    const state = this.states[i] as ReplicaState;
    const p = this.poolOf[i] as number;
    this.poolWaiting[p] = (this.poolWaiting[p] as number) + engineState.waiting - state.waiting;
    state.running = engineState.running;
    state.waiting = engineState.waiting;
    state.pendingPrefillTokens = engineState.pendingPrefillTokens;
    state.kvUsage = engineState.kvUsage;
    state.kvBlocksTotal = engineState.kvBlocksTotal;
    state.updatedAtMs = nowMs;
    return engineState;
  }

  get preciseIndex(): PrefixLookup | undefined {
    return this.#cached === undefined ? undefined : this;
  }

  matchedBlocks(replicaId: string, hashes: readonly number[]): number {
    const i = this.#index.get(replicaId);
    const cached = i === undefined ? undefined : this.#cached?.[i];
    if (cached === undefined) return 0;
    let n = 0;
    while (n < hashes.length && cached.has(hashes[n] as number)) n++;
    return n;
  }

  /** Applies a KV event of replica i to the precise index. */
  applyKv(i: number, event: EngineEvent): void {
    const cached = this.#cached?.[i];
    if (cached === undefined) return;
    // Indexed loops: a for-of here allocated an iterator result per hash in a profile of bench/sim.ts.
    if (event.type === 'kv-stored') {
      const hashes = event.hashes;
      for (let k = 0; k < hashes.length; k++) cached.add(hashes[k] as number);
    } else if (event.type === 'kv-removed') {
      const hashes = event.hashes;
      for (let k = 0; k < hashes.length; k++) cached.delete(hashes[k] as number);
    } else if (event.type === 'kv-cleared') cached.clear();
  }
}
