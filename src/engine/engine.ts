/**
 * An iteration-level engine in the manner of vLLM v1's scheduler (vllm/v1/core/sched/scheduler.py): each
 * step spends a token budget on (1) one decode token for every running decoder, (2) the next chunk of each
 * running partial prefill, (3) newly admitted waiting requests (priority, then FCFS), stopping at the
 * running-sequence cap or when blocks run out. A step that preempted admits nobody (as vLLM).
 *
 * Cost: decoders are never visited one by one. They advance in aggregate (count, summed context); a
 * min-heap on finish step finds the ones that end; per-residue counters find which cross a KV-block
 * boundary this step. Energy reaches them through a prefix sum of joules per token. So a step costs O(1)
 * plus O(log n) per admission, finish or preemption, plus O(prefills in flight).
 */
import { KvPool } from './kv-pool.js';
import { DecodeBatch } from './decode-batch.js';
import { PairHeap } from './heap.js';
import { RunningSet } from './running-set.js';
import { emptyEngineState, finished, NO_EVENTS, stepResult } from './engine-output.js';
import { idleEnergyJ } from './power.js';
import { kvCapacityBlocks } from './replica-spec.js';
import { derived, emptyComposition, newTiming, timeStep, type Derived } from './roofline.js';
import { DECODE, DONE, PREFILL, Sequence, WAITING } from './sequence.js';
import type { Engine, EngineEvent, EngineOptions, EngineRequest, EngineState, ReplicaSpec, StepResult } from './types.js';

const ceilDiv = (a: number, b: number): number => (a <= 0 ? 0 : Math.ceil(a / b));

export function createEngine(spec: ReplicaSpec, options: EngineOptions = {}): Engine {
  return new IterationEngine(spec, options);
}

class IterationEngine implements Engine {
  readonly spec: ReplicaSpec;
  private readonly blockSize: number;
  private readonly prefixOn: boolean;
  private readonly chunkedOn: boolean;
  private readonly maxSeqs: number;
  private readonly budgetMax: number;
  private readonly tokenEvents: boolean;
  private readonly kvEvents: boolean;
  private readonly maxContext: number;
  private readonly pool: KvPool;
  private readonly d: Derived;

  private readonly byId = new Map<string, Sequence>();
  private readonly waiting = new PairHeap<Sequence>();
  private waitingLive = 0;
  private readonly running = new RunningSet();
  private readonly decode: DecodeBatch;
  /** Completed steps. */
  private stepNo = 0;
  private nextOrder = 0;
  /** Prefix sum over steps of joules per token processed: a decoder's energy is a difference of two. */
  private cumJPerToken = 0;
  /** Events raised between steps (aborts, rejections), delivered with the next step. */
  private pending: EngineEvent[] = NO_EVENTS;
  /** Events of the step being built; allocated on first use so quiet steps allocate no array. */
  private events: EngineEvent[] = NO_EVENTS;
  private budget = 0;
  private decodeBlocksTaken = false;

  private originMs = Number.NaN;
  private lastEndMs = Number.NaN;
  private busyJ = 0;
  private idleJ = 0;
  private busyMs = 0;
  private preemptions = 0;
  private prefixQueries = 0;
  private prefixHits = 0;
  private pendingPrefill = 0;

  private readonly comp = emptyComposition();
  private readonly timing = newTiming();

  constructor(spec: ReplicaSpec, options: EngineOptions) {
    this.spec = spec;
    const e = spec.engine;
    this.blockSize = e.blockSize;
    this.prefixOn = e.enablePrefixCaching;
    this.chunkedOn = e.enableChunkedPrefill;
    this.maxSeqs = e.maxNumSeqs;
    this.budgetMax = e.maxNumBatchedTokens;
    this.tokenEvents = options.emitTokenEvents === true;
    this.kvEvents = options.emitKvEvents === true;
    this.maxContext = spec.model.maxContextTokens;
    this.pool = new KvPool(kvCapacityBlocks(spec), this.kvEvents);
    this.decode = new DecodeBatch(this.blockSize);
    this.d = derived(spec);
  }

  add(request: EngineRequest, nowMs: number): void {
    if (this.byId.has(request.id)) throw new RangeError(`request "${request.id}" is already in the engine`);
    this.touch(nowMs);
    const hbt = request.hashBlockTokens;
    let hashCount = 0;
    if (this.prefixOn && request.blockHashes.length > 0) {
      if (!(hbt > 0) || hbt % this.blockSize !== 0) {
        throw new RangeError(
          `request "${request.id}": hashBlockTokens ${hbt} must be a positive multiple of the block size ${this.blockSize}`,
        );
      }
      hashCount = Math.min(request.blockHashes.length, Math.floor(request.promptTokens / hbt));
    }
    // vLLM generates at least one token (max_tokens >= 1).
    const output = Math.max(1, Math.floor(request.outputTokens));
    const total = request.promptTokens + output;
    if (!(request.promptTokens >= 1) || total > this.maxContext || ceilDiv(total, this.blockSize) > this.pool.totalBlocks) {
      // Never schedulable (vLLM answers 400): finish it, aborted, at the next step.
      if (this.pending === NO_EVENTS) this.pending = [];
      this.pending.push(finished(request.id, nowMs, request.promptTokens, 0, 0, 0, 0, true));
      return;
    }
    const seq = new Sequence(request, this.nextOrder++, output, hashCount);
    this.byId.set(seq.id, seq);
    this.waiting.push(seq.priority, seq.order, seq, seq.epoch);
    this.waitingLive++;
    this.pendingPrefill += seq.target;
  }

  abort(id: string, nowMs: number): void {
    const seq = this.byId.get(id);
    if (!seq) return;
    this.touch(nowMs);
    if (seq.phase === WAITING) {
      seq.epoch++;
      this.waitingLive--;
      this.pendingPrefill -= seq.target - seq.computed;
    } else if (seq.phase === PREFILL) {
      this.pendingPrefill -= seq.target - seq.computed;
      this.running.removePrefilling(seq);
      this.release(seq, seq.computed);
    } else if (seq.phase === DECODE) {
      this.release(seq, this.leaveDecode(seq));
      this.running.remove(seq);
    }
    const stepEvents = this.events;
    this.events = this.pending;
    this.finish(seq, nowMs, true);
    this.pending = this.events;
    this.events = stepEvents;
  }

  hasWork(): boolean {
    return this.waitingLive > 0 || this.running.size > 0 || this.pending.length > 0;
  }

  step(nowMs: number, into?: StepResult): StepResult {
    this.touch(nowMs);
    const startMs = nowMs > this.lastEndMs ? nowMs : this.lastEndMs;
    if (startMs > this.lastEndMs) this.idleJ += idleEnergyJ(this.spec, startMs - this.lastEndMs);
    this.lastEndMs = startMs;
    this.events = this.pending;
    this.pending = NO_EVENTS;
    this.schedule(startMs);

    const comp = this.comp;
    comp.prefillTokens = comp.prefillAttendPairs = comp.prefillContextTokens = 0;
    const prefilling = this.running.prefilling;
    for (let i = 0; i < prefilling.length; i++) {
      const p = prefilling[i] as Sequence;
      if (p.stepChunk > 0) {
        const chunk = p.stepChunk;
        comp.prefillTokens += chunk;
        comp.prefillAttendPairs += chunk * p.computed + (chunk * (chunk + 1)) / 2;
        comp.prefillContextTokens += p.computed + chunk;
      }
    }
    comp.decodeSeqs = this.decode.count;
    comp.decodeContextTokens = this.decode.ctx;
    const tokens = comp.prefillTokens + comp.decodeSeqs;
    if (tokens === 0) {
      return stepResult(into, startMs, startMs, 0, 0, 0, this.takeEvents());
    }
    const timing = timeStep(this.d, comp, this.timing);
    const endMs = startMs + timing.totalMs;
    // powerWatts() inlined: devices x (idle + (TDP - idle) x utilisation).
    const d = this.d;
    const energyJ = (d.tp * (d.idleWatts + d.dynamicWatts * timing.utilisation) * timing.totalMs) / 1000;
    const perToken = energyJ / tokens;
    this.cumJPerToken += perToken;
    this.busyJ += energyJ;
    this.busyMs += timing.totalMs;
    this.lastEndMs = endMs;
    // Blocks were evicted while the step was built, before this step's prefills store theirs: report the
    // removals first, so a hash evicted and re-stored in one step ends up present for event consumers.
    const evicted = this.pool.evicted;
    if (evicted && evicted.length > 0) {
      this.emit({ type: 'kv-removed', atMs: startMs, hashes: evicted });
      this.pool.evicted = [];
    }
    // Decoders advance one token each.
    this.decode.advance();
    if (this.tokenEvents) {
      const running = this.running.all;
      for (let i = 0; i < running.length; i++) {
        const s = running[i] as Sequence;
        if (s.phase === DECODE) this.emit({ type: 'tokens', id: s.id, atMs: endMs, count: 1 });
      }
    }
    this.stepNo++;
    for (let s = this.decode.popFinished(this.stepNo); s; s = this.decode.popFinished(this.stepNo)) {
      this.release(s, this.leaveDecode(s));
      this.running.remove(s);
      this.finish(s, endMs, false);
    }

    // Prefill chunks land: store full hash blocks in the prefix cache, complete finished prefills.
    let completed = 0;
    for (let i = 0; i < prefilling.length; i++) {
      const p = prefilling[i] as Sequence;
      const chunk = p.stepChunk;
      if (chunk === 0) continue;
      p.stepChunk = 0;
      p.energyJ += chunk * perToken;
      p.computed += chunk;
      this.pendingPrefill -= chunk;
      if (p.hashCount > p.refHashes) this.storeHashes(p, endMs);
      if (p.computed >= p.target) {
        this.completePrefill(p, endMs);
        completed++;
      }
    }
    if (completed > 0) this.running.compact();
    return stepResult(into, startMs, endMs, comp.prefillTokens, comp.decodeSeqs, energyJ, this.takeEvents());
  }

  resetPrefixCache(_nowMs: number): boolean {
    return this.pool.resetPrefixCache();
  }

  state(nowMs: number, into?: EngineState): EngineState {
    const out = into ?? emptyEngineState();
    const idleTail = nowMs > this.lastEndMs ? idleEnergyJ(this.spec, nowMs - this.lastEndMs) : 0;
    const total = this.pool.totalBlocks;
    out.running = this.running.size;
    out.waiting = this.waitingLive;
    out.pendingPrefillTokens = this.pendingPrefill;
    out.kvBlocksTotal = total;
    out.kvBlocksUsed = this.pool.used;
    out.kvUsage = total > 0 ? this.pool.used / total : 0;
    out.prefixQueriesTokens = this.prefixQueries;
    out.prefixHitsTokens = this.prefixHits;
    out.preemptions = this.preemptions;
    out.energyJ = this.busyJ + this.idleJ + idleTail;
    out.busyMs = this.busyMs;
    return out;
  }

  private emit(event: EngineEvent): void {
    if (this.events === NO_EVENTS) this.events = [];
    this.events.push(event);
  }

  private takeEvents(): EngineEvent[] {
    const events = this.events;
    this.events = NO_EVENTS;
    return events;
  }

  /** Builds the step: fills `stepChunk` of the prefills it runs and takes their blocks. */
  private schedule(atMs: number): void {
    this.budget = this.budgetMax;
    this.decodeBlocksTaken = false;
    let preempted = false;
    const pool = this.pool;
    // (1) Every decoder gets its token; those at a block boundary need a fresh block.
    if (this.decode.count > 0) {
      this.budget -= this.decode.count;
      while (this.decode.needingBlocks(this.stepNo) > pool.available) {
        this.preempt(this.running.victim(), atMs);
        preempted = true;
      }
      pool.allocate(this.decode.needingBlocks(this.stepNo));
      this.decodeBlocksTaken = true;
    }
    // (2) Running partial prefills continue, in admission order.
    const prefilling = this.running.prefilling;
    for (let i = 0; i < prefilling.length && this.budget > 0; i++) {
      const p = prefilling[i] as Sequence;
      if (p.phase !== PREFILL) continue;
      const left = p.target - p.computed;
      const chunk = left < this.budget ? left : this.budget;
      const base = p.refHashes * p.hashBlockTokens;
      const need = ceilDiv(p.computed + chunk - base, this.blockSize) - ceilDiv(p.computed - base, this.blockSize);
      let self = false;
      while (need > pool.available) {
        const victim = this.running.victim();
        this.preempt(victim, atMs);
        preempted = true;
        if (victim === p) {
          self = true;
          break;
        }
      }
      if (self) continue;
      pool.allocate(need);
      p.stepChunk = chunk;
      this.budget -= chunk;
    }
    if (preempted) {
      this.running.compact();
      return;
    }
    // (3) Admit waiting requests: lowest priority number first, FCFS within it.
    while (this.budget > 0 && this.running.size < this.maxSeqs && this.waitingLive > 0) {
      const s = this.waiting.peekValue();
      if (this.waiting.peekEpoch() !== s.epoch || s.phase !== WAITING) {
        this.waiting.pop();
        continue;
      }
      const hbt = s.hashBlockTokens;
      // At least the last token is computed, so hits stop one token short of the target (as vLLM).
      const limit = s.hashCount > 0 ? Math.min(s.hashCount, Math.floor((s.target - 1) / hbt)) : 0;
      // A blocked head of the queue is looked up again every step: reuse the answer until the cache changes.
      let hits = 0;
      if (limit > 0) {
        if (s.lookupVersion !== pool.version) {
          s.lookupHits = pool.lookup(s.hashes, limit);
          s.lookupVersion = pool.version;
        }
        hits = s.lookupHits;
      }
      const hitTokens = hits * hbt;
      const left = s.target - hitTokens;
      let chunk: number;
      if (this.chunkedOn) chunk = left < this.budget ? left : this.budget;
      else if (left <= this.budget || (this.budget === this.budgetMax && this.running.size === 0)) chunk = left;
      else break;
      const need = ceilDiv(chunk, this.blockSize);
      if (need > pool.available || (hits > 0 && need + pool.revivalCost(s.hashes, hits) > pool.available)) break;
      this.waiting.pop();
      this.waitingLive--;
      if (hits > 0) pool.acquire(s.hashes, hits, s.entryIds);
      pool.allocate(need);
      s.refHashes = hits;
      s.computed = hitTokens;
      s.stepChunk = chunk;
      s.phase = PREFILL;
      this.budget -= chunk;
      this.prefixQueries += s.target;
      this.prefixHits += hitTokens;
      this.pendingPrefill -= hitTokens;
      if (s.cachedTokens < 0) s.cachedTokens = hitTokens;
      this.running.admit(s);
      this.emit({ type: 'scheduled', id: s.id, atMs, cachedTokens: hitTokens });
    }
  }

  /** Preemption by recompute: blocks freed, back to the waiting queue at its original place. */
  private preempt(s: Sequence, atMs: number): void {
    if (s.phase === DECODE) {
      // Its token for this step was budgeted (and its block taken if at a boundary): give both back.
      const ctx = this.leaveDecode(s);
      this.release(s, ctx + (this.decodeBlocksTaken ? 1 : 0));
      this.budget += 1;
      this.pendingPrefill += s.promptTokens + s.generated;
    } else {
      this.release(s, s.computed + s.stepChunk);
      this.budget += s.stepChunk;
      s.stepChunk = 0;
      this.pendingPrefill += s.computed;
    }
    this.running.remove(s);
    s.phase = WAITING;
    s.target = s.promptTokens + s.generated;
    s.lookupVersion = -1; // the lookup limit depends on the target
    s.computed = 0;
    s.preemptions++;
    this.preemptions++;
    s.epoch++;
    this.waiting.push(s.priority, s.order, s, s.epoch);
    this.waitingLive++;
    this.emit({ type: 'preempted', id: s.id, atMs });
  }

  private completePrefill(p: Sequence, atMs: number): void {
    p.generated++;
    if (!p.firstTokenSent) {
      p.firstTokenSent = true;
      this.emit({ type: 'first-token', id: p.id, atMs });
    }
    if (this.tokenEvents) this.emit({ type: 'tokens', id: p.id, atMs, count: 1 });
    if (p.generated >= p.outputTokens) {
      this.release(p, p.computed);
      this.running.remove(p);
      this.finish(p, atMs, false);
      return;
    }
    this.decode.join(p, this.stepNo, this.cumJPerToken);
  }

  /** Takes a decoder out of the aggregate batch, settling its tokens and energy; returns its KV context. */
  private leaveDecode(s: Sequence): number {
    return this.decode.leave(s, this.stepNo, this.cumJPerToken);
  }

  private storeHashes(p: Sequence, atMs: number): void {
    const full = Math.min(p.hashCount, Math.floor(p.computed / p.hashBlockTokens));
    if (full <= p.refHashes) return;
    const blocks = p.hashBlockTokens / this.blockSize;
    let stored: number[] | null = null;
    const first = p.refHashes;
    for (let i = first; i < full; i++) {
      const hash = p.hashes[i] as number;
      p.entryIds[i] = this.pool.store(hash, blocks);
      if (this.pool.storedNew && this.kvEvents) (stored ??= []).push(hash);
    }
    p.refHashes = full;
    if (stored) {
      this.emit({ type: 'kv-stored', atMs, hashes: stored, parentHash: first > 0 ? (p.hashes[first - 1] as number) : null });
    }
  }

  /** Frees a sequence's private blocks (KV for `kvTokens` tokens beyond its cached prefix) and cache refs. */
  private release(s: Sequence, kvTokens: number): void {
    this.pool.freeBlocks(ceilDiv(kvTokens - s.refHashes * s.hashBlockTokens, this.blockSize));
    if (s.refHashes > 0) this.pool.release(s.entryIds, s.refHashes);
    s.refHashes = 0;
  }

  private finish(s: Sequence, atMs: number, aborted: boolean): void {
    s.phase = DONE;
    this.byId.delete(s.id);
    this.emit(
      finished(s.id, atMs, s.promptTokens, Math.max(0, s.cachedTokens), s.generated, s.energyJ, s.preemptions, aborted),
    );
  }

  private touch(nowMs: number): void {
    if (Number.isNaN(this.originMs)) {
      this.originMs = nowMs;
      this.lastEndMs = nowMs;
    }
  }
}
