import type { Engine, EngineEvent, EngineRequest, StepResult } from '../engine/types.js';

/**
 * Drives an engine model on the wall clock. Engine time ("virtual ms") runs `speed` times faster than the
 * wall clock from the pacer's start. Per the Engine protocol (src/engine/types.ts) and as the simulator's
 * loop does, a request is handed to the engine just before the first step that starts at or after its
 * arrival; an idle engine is stepped at the arrival that wakes it, then at each previous step's `endMs`; a
 * step's events are delivered when the wall clock reaches its `endMs`.
 *
 * Steps are always taken at the previous step's end, never at "now", so a late timer delays delivery but
 * never distorts the engine's timing. A pacer that falls behind catches up synchronously (bounded per
 * tick, yielding to I/O between batches), and stamps arrivals that come in meanwhile no later than the end
 * of the step in flight: they would have been there before it ended.
 */
export type RequestListener = (event: EngineEvent) => void;
export type StepListener = (step: StepResult) => void;

export interface PacerOptions {
  /** Engine ms per wall ms (`--speed`); 1 is real time. */
  speed: number;
  /** Wall clock in ms; injectable for tests. */
  now?: () => number;
}

/** Steps processed synchronously before yielding to the event loop when behind. */
const MAX_CATCH_UP = 64;

export class Pacer {
  readonly engine: Engine;
  readonly speed: number;
  #wall: () => number;
  #origin: number;
  /** The step in flight (computed, its events not yet delivered). */
  #pending: StepResult | undefined;
  #lastEndMs = 0;
  /** Latest arrival stamp given out: stamps never go backwards. */
  #lastStamp = 0;
  /** Arrived, not yet handed to the engine, in stamp order. */
  #arrivals: EngineRequest[] = [];
  /** Ids whose client left before the engine got them: aborted as soon as they are added. */
  #abortOnAdd = new Set<string>();
  #wakeQueued = false;
  #timer: NodeJS.Timeout | undefined;
  #listeners = new Map<string, RequestListener>();
  #stepListeners: StepListener[] = [];
  #closed = false;

  constructor(engine: Engine, options: PacerOptions) {
    if (!(options.speed > 0)) throw new Error(`speed must be positive, got ${options.speed}`);
    this.engine = engine;
    this.speed = options.speed;
    this.#wall = options.now ?? (() => performance.now());
    this.#origin = this.#wall();
  }

  /** Engine time now (virtual ms since the pacer started). */
  now(): number {
    return (this.#wall() - this.#origin) * this.speed;
  }

  /** Requests submitted that have not finished (the pacer's own view, for leak checks). */
  get inFlight(): number {
    return this.#listeners.size;
  }

  onStep(listener: StepListener): void {
    this.#stepListeners.push(listener);
  }

  /** Queues a request for the engine; returns its arrival time in engine ms. */
  submit(request: Omit<EngineRequest, 'arrivalMs'>, listener: RequestListener): number {
    if (this.#closed) throw new Error('pacer is closed');
    const at = this.#stamp();
    this.#listeners.set(request.id, listener);
    this.#arrivals.push({ ...request, arrivalMs: at });
    if (this.#pending === undefined) this.#wake();
    return at;
  }

  /** The client went away: drop the request; its `finished` (aborted) event still reaches the listener. */
  abort(id: string): void {
    if (this.#closed || !this.#listeners.has(id)) return;
    if (this.#arrivals.some((r) => r.id === id)) {
      this.#abortOnAdd.add(id);
      return;
    }
    this.engine.abort(id, this.#stamp());
    if (this.#pending === undefined) this.#wake();
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending = undefined;
    this.#arrivals = [];
    this.#listeners.clear();
  }

  /**
   * The engine time of an arrival or abort: now, but never past the end of the step in flight (when the
   * pacer lags, the request would have been there before that step ended), never before the last step's
   * end, never before an earlier stamp.
   */
  #stamp(): number {
    let t = this.now();
    if (this.#pending !== undefined) t = Math.max(this.#pending.startMs, Math.min(t, this.#pending.endMs));
    t = Math.max(t, this.#lastEndMs, this.#lastStamp);
    this.#lastStamp = t;
    return t;
  }

  /** Hands the engine every queued arrival stamped at or before `t`. */
  #admit(t: number): void {
    let n = 0;
    while (n < this.#arrivals.length && (this.#arrivals[n] as EngineRequest).arrivalMs <= t) {
      const request = this.#arrivals[n] as EngineRequest;
      this.engine.add(request, request.arrivalMs);
      if (this.#abortOnAdd.delete(request.id)) this.engine.abort(request.id, request.arrivalMs);
      n++;
    }
    if (n > 0) this.#arrivals.splice(0, n);
  }

  /**
   * Steps an idle engine on the next turn of the event loop, at the earliest queued arrival (or the
   * abort that needs a step). Requests stamped at the same time join that step; later ones wait for the
   * step that starts after them, exactly as in the simulator.
   */
  #wake(): void {
    if (this.#wakeQueued) return;
    this.#wakeQueued = true;
    setImmediate(() => {
      this.#wakeQueued = false;
      if (this.#closed || this.#pending !== undefined) return;
      this.#startStep(this.#arrivals[0]?.arrivalMs ?? Math.max(this.#lastEndMs, this.#lastStamp));
      this.#schedule();
    });
  }

  /** Admits what has arrived by `t` and steps the engine at `t` if it has work; else leaves it idle. */
  #startStep(t: number): void {
    this.#admit(t);
    if (this.engine.hasWork()) {
      this.#pending = this.engine.step(t);
      return;
    }
    // Idle until the next queued arrival (stamped no later than now, so due at once).
    const next = this.#arrivals[0];
    if (next !== undefined) this.#startStep(next.arrivalMs);
  }

  #schedule(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending === undefined || this.#closed) return;
    const delayMs = Math.max(0, (this.#pending.endMs - this.now()) / this.speed);
    this.#timer = setTimeout(() => this.#tick(), delayMs);
    this.#timer.unref();
  }

  #tick(): void {
    this.#timer = undefined;
    for (let i = 0; i < MAX_CATCH_UP && this.#pending !== undefined && !this.#closed; i++) {
      const step = this.#pending;
      if (step.endMs > this.now()) break;
      this.#pending = undefined;
      this.#lastEndMs = step.endMs;
      this.#deliver(step);
      if (!this.#closed && this.#pending === undefined) this.#startStep(step.endMs);
    }
    if (this.#pending === undefined || this.#closed) return;
    if (this.#pending.endMs <= this.now()) {
      this.#timer = setTimeout(() => this.#tick(), 0);
      this.#timer.unref();
      return;
    }
    this.#schedule();
  }

  #deliver(step: StepResult): void {
    for (const listener of this.#stepListeners) listener(step);
    for (const event of step.events) {
      if (!('id' in event)) continue;
      const listener = this.#listeners.get(event.id);
      if (listener === undefined) continue;
      if (event.type === 'finished') this.#listeners.delete(event.id);
      listener(event);
    }
  }
}
