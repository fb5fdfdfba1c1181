import type { Random } from '../../util/random.js';
import { EventHeap } from '../heap.js';
import { randomStream } from '../seeded.js';
import type { SimRequest } from '../types.js';
import { drawLength, nextGapMs } from './distributions.js';
import type { SyntheticSpec } from './kinds.js';

interface Session {
  /** Ids of the full blocks of the session's latest prompt. */
  ids: number[];
  prompt: number;
  lastOutput: number;
  turnsLeft: number;
}

/**
 * A synthetic workload, generated lazily in arrival order so a million requests never sit in memory at
 * once. Session starts follow the arrival process; later turns of open sessions wait in a heap keyed by
 * their due time. Block ids come from a counter (like Mooncake's remapped `hash_ids`): a fresh id is a
 * block nobody else has, a reused one an identical prefix.
 */
export class SyntheticWorkload implements Iterable<SimRequest> {
  readonly spec: SyntheticSpec;
  readonly #arrivals: Random;
  readonly #lengths: Random;
  readonly #sessionsRandom: Random;
  readonly #groups: number[][];
  readonly #due = new EventHeap(64);
  readonly #sessions: (Session | undefined)[] = [];
  readonly #free: number[] = [];
  #nextId = 1;
  #nextStartMs = 0;
  #seq = 0;
  #emitted = 0;

  constructor(spec: SyntheticSpec, seed: number) {
    this.spec = spec;
    this.#arrivals = randomStream(seed, 'synthetic-arrivals');
    this.#lengths = randomStream(seed, 'synthetic-lengths');
    this.#sessionsRandom = randomStream(seed, 'synthetic-sessions');
    const shared = Math.floor(spec.prefixTokens / spec.blockTokens);
    this.#groups = Array.from({ length: spec.prefixGroups }, () => Array.from({ length: shared }, () => this.#nextId++));
  }

  get sessionRatePerS(): number {
    return this.spec.ratePerS / ((this.spec.turns.min + this.spec.turns.max) / 2);
  }

  next(): SimRequest | undefined {
    while (this.#emitted < this.spec.requests) {
      const request = this.#due.size > 0 && this.#due.peekTime() <= this.#nextStartMs ? this.#followUp() : this.#start();
      if (request !== undefined) {
        this.#emitted++;
        return request;
      }
    }
    return undefined;
  }

  *[Symbol.iterator](): Iterator<SimRequest> {
    for (let r = this.next(); r !== undefined; r = this.next()) yield r;
  }

  #start(): SimRequest {
    const spec = this.spec;
    const at = this.#nextStartMs;
    this.#nextStartMs += nextGapMs(this.#arrivals, spec.arrival, this.sessionRatePerS);
    const group = this.#groups[this.#sessionsRandom.int(spec.prefixGroups)] ?? [];
    const prompt = Math.min(spec.maxPromptTokens, spec.prefixTokens + drawLength(this.#lengths, spec.input));
    const ids = group.slice(0, Math.floor(prompt / spec.blockTokens));
    this.#extend(ids, prompt);
    const turns = spec.turns.min + this.#sessionsRandom.int(spec.turns.max - spec.turns.min + 1);
    return this.#emit({ ids, prompt, lastOutput: 0, turnsLeft: turns }, at);
  }

  #followUp(): SimRequest | undefined {
    const at = this.#due.peekTime();
    const slot = this.#due.peekPayload();
    this.#due.pop();
    const session = this.#sessions[slot] as Session;
    this.#sessions[slot] = undefined;
    this.#free.push(slot);
    const prompt = session.prompt + session.lastOutput + drawLength(this.#lengths, this.spec.turnInput);
    if (prompt > this.spec.maxPromptTokens) return undefined; // the context is full: the session ends
    session.prompt = prompt;
    this.#extend(session.ids, prompt);
    return this.#emit(session, at);
  }

  /** Fresh ids for the blocks that became full. */
  #extend(ids: number[], prompt: number): void {
    const full = Math.floor(prompt / this.spec.blockTokens);
    while (ids.length < full) ids.push(this.#nextId++);
  }

  #emit(session: Session, at: number): SimRequest {
    const spec = this.spec;
    const outputTokens = drawLength(this.#lengths, spec.output);
    session.lastOutput = outputTokens;
    session.turnsLeft--;
    if (session.turnsLeft > 0) {
      const think = spec.thinkMs > 0 ? this.#sessionsRandom.exponential(1 / spec.thinkMs) : 0;
      const slot = this.#free.pop() ?? this.#sessions.length;
      this.#sessions[slot] = session;
      this.#due.push(at + outputTokens * spec.paceMsPerOutputToken + think, this.#seq++, 0, slot);
    }
    return { arrivalMs: at, promptTokens: session.prompt, outputTokens, blockHashes: session.ids.slice(), blockTokens: spec.blockTokens };
  }
}
