import { peakPrefillTokensPerS, replicaSpec } from '../engine/index.js';
import { addPrefillChunk, derived, emptyComposition, newTiming, timeStep, type Derived } from '../engine/roofline.js';
import type { ReplicaSpec } from '../engine/types.js';
import type { ReplicaState } from '../spec/replica.js';

/**
 * Per-replica performance estimates from the engine model (src/engine/roofline.ts): the same roofline that
 * paces the simulator and the emulator predicts, for the scheduler, how long a replica takes to prefill a
 * prompt and to run a decode step. A replica's spec is built once from its state (hardware profile, model
 * profile, TP degree, block size, running-sequence cap) and kept until those change.
 */
export interface ReplicaModel {
  spec: ReplicaSpec;
  /** The roofline's per-spec constants, held here so an estimate skips the engine's per-spec cache. */
  derived: Derived;
  /** ms per prompt token of queued prefill work (llm-d's calibrated peakPrefillThroughput, from the roofline). */
  msPerQueuedPrefillToken: number;
  /** KV capacity of the replica, tokens. */
  kvTokens: number;
  /** Max prompt tokens per engine step (chunked prefill budget). */
  stepTokenBudget: number;
}

export class ReplicaModels {
  readonly #byReplica = new Map<string, { key: ReplicaState; model: ReplicaModel | null }>();
  /**
   * The models of the last candidate list, by position: callers (the simulator, the gateway's fleet) pass
   * the same ReplicaState objects decision after decision, updated in place, so an identity check per
   * position skips the keyed look-up. Profile fields of a ReplicaState are never changed in place.
   */
  #lastStates: (ReplicaState | undefined)[] = [];
  #lastModels: (ReplicaModel | null)[] = [];

  /** `get` for the replica at `position` of the candidate list. */
  at(position: number, replica: ReplicaState): ReplicaModel | null {
    if (this.#lastStates[position] === replica) return this.#lastModels[position] ?? null;
    const model = this.get(replica);
    this.#lastStates[position] = replica;
    this.#lastModels[position] = model;
    return model;
  }

  /** The model of `replica`, or null when it has no profile to estimate from (an external API, unknown ids). */
  get(replica: ReplicaState): ReplicaModel | null {
    const cached = this.#byReplica.get(replica.id);
    if (cached !== undefined && sameShape(cached.key, replica)) return cached.model;
    const model = build(replica);
    this.#byReplica.set(replica.id, { key: replica, model });
    return model;
  }
}

function sameShape(a: ReplicaState, b: ReplicaState): boolean {
  return (
    a === b ||
    (a.hardware === b.hardware &&
      a.modelProfile === b.modelProfile &&
      a.tensorParallel === b.tensorParallel &&
      a.blockSize === b.blockSize &&
      a.maxRunning === b.maxRunning &&
      a.kvBlocksTotal === b.kvBlocksTotal)
  );
}

function build(replica: ReplicaState): ReplicaModel | null {
  if (replica.modelProfile === undefined || replica.hardware === 'external') return null;
  let spec: ReplicaSpec;
  try {
    spec = replicaSpec(replica.modelProfile, replica.hardware, replica.tensorParallel, {
      blockSize: replica.blockSize,
      maxNumSeqs: replica.maxRunning,
    });
  } catch {
    // Unknown profile ids or a model that does not fit: no estimate; the policy treats it as unmodelled.
    return null;
  }
  return {
    spec,
    derived: derived(spec),
    msPerQueuedPrefillToken: 1000 / peakPrefillTokensPerS(spec),
    kvTokens: replica.kvBlocksTotal * replica.blockSize,
    stepTokenBudget: spec.engine.enableChunkedPrefill ? spec.engine.maxNumBatchedTokens : Number.MAX_SAFE_INTEGER,
  };
}

const COMP = emptyComposition();
const TIMING = newTiming();

/**
 * The request's own prefill on the replica: `uncached` new tokens after `cached` prefix hits, in chunks of
 * the step budget (the engine's prefillTimeMs, on the held constants).
 */
export function ownPrefillMs(model: ReplicaModel, uncached: number, cached: number): number {
  const d = model.derived;
  const budget = model.stepTokenBudget;
  COMP.decodeSeqs = COMP.decodeContextTokens = 0;
  let done = cached;
  let left = Math.max(1, uncached);
  let total = 0;
  while (left > 0) {
    const chunk = left < budget ? left : budget;
    COMP.prefillTokens = COMP.prefillAttendPairs = COMP.prefillContextTokens = 0;
    addPrefillChunk(COMP, done, chunk);
    total += timeStep(d, COMP, TIMING).totalMs;
    done += chunk;
    left -= chunk;
  }
  return total;
}

/** One decode step of `batch` sequences holding `contextTokens` tokens of KV between them. */
export function decodeStepMs(model: ReplicaModel, batch: number, contextTokens: number): number {
  COMP.prefillTokens = COMP.prefillAttendPairs = COMP.prefillContextTokens = 0;
  COMP.decodeSeqs = batch;
  COMP.decodeContextTokens = contextTokens;
  return timeStep(model.derived, COMP, TIMING).totalMs;
}
