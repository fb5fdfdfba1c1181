import type { Engine, EngineEvent, EngineRequest, StepResult } from '../engine/types.js';

/**
 * Drives an engine model on the wall clock. Engine time ("virtual ms") runs `speed` times faster than the
 * wall clock from the pacer's start. Per the Engine protocol (src/engine/types.ts), the pacer calls
 * `step(t)` at the arrival that wakes an idle engine and then at each previous step's `endMs`, and delivers
 * a step's events when the wall clock reaches its `endMs`. Steps are always taken at the previous step's end,
 * never at "now", so timer lateness delays delivery but never distorts the engine's own timing; when the
 * pacer falls behind it catches up synchronously (bounded per tick, yielding to I/O between batches).
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
  #pending: StepResult | undefined;
  #lastEndMs = 0;
  #timer: NodeJS.Timeout | undefined;
  #listeners = new Map<string, RequestListener>();
  #stepListeners: StepListener[] = [];
  #closed = false;
  /** Engine time of a wake-up step queued for the next turn (see #wake). */
  #wakeAt: number | undefined;

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

  /** Requests in the engine that have not finished (the pacer's own view, for leak checks). */
  get inFlight(): number {
    return this.#listeners.size;
  }

  onStep(listener: StepListener): void {
    this.#stepListeners.push(listener);
  }

  /** Adds a request to the engine; returns its arrival time in engine ms. */
  submit(request: Omit<EngineRequest, 'arrivalMs'>, listener: RequestListener): number {
    if (this.#closed) throw new Error('pacer is closed');
    const at = this.#eventTime();
    this.engine.add({ ...request, arrivalMs: at }, at);
    this.#listeners.set(request.id, listener);
    if (this.#pending === undefined) this.#wake(at);
    return at;
  }

  /** The client went away: drop the request; its `finished` (aborted) event still reaches the listener. */
  abort(id: string): void {
    if (this.#closed || !this.#listeners.has(id)) return;
    const at = this.#eventTime();
    this.engine.abort(id, at);
    if (this.#pending === undefined && this.engine.hasWork()) this.#wake(at);
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending = undefined;
    this.#listeners.clear();
  }

  /**
   * The engine time to stamp an arrival or abort with: now, but never past the end of the step in flight
   * (when the pacer lags, the request would have been there before that step ended) nor before the last
   * step's end (engine time is monotonic).
   */
  #eventTime(): number {
    const now = this.now();
    if (this.#pending !== undefined) return Math.max(this.#pending.startMs, Math.min(now, this.#pending.endMs));
    return Math.max(now, this.#lastEndMs, this.#wakeAt ?? 0);
  }

  /**
   * Wakes an idle engine at `t`. The step runs on the next turn of the event loop, so requests that arrive
   * in the same turn (a burst, a fleet test's Promise.all) join the same first step, as they would in
   * vLLM's engine loop; it runs at the latest of their arrival times.
   */
  #wake(t: number): void {
    const first = this.#wakeAt === undefined;
    this.#wakeAt = Math.max(this.#wakeAt ?? t, t);
    if (!first) return;
    setImmediate(() => {
      const at = this.#wakeAt as number;
      this.#wakeAt = undefined;
      if (this.#closed || this.#pending !== undefined || !this.engine.hasWork()) return;
      this.#pending = this.engine.step(at);
      this.#schedule();
    });
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
      if (!this.#closed && this.#pending === undefined && this.engine.hasWork()) {
        this.#pending = this.engine.step(step.endMs);
      }
    }
    if (this.#pending === undefined || this.#closed) return;
    if (this.#timer !== undefined) return; // a listener's submit already scheduled the next tick
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
