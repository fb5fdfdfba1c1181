/**
 * Time, injected. The scheduler and the engine model never read the wall clock themselves: the gateway
 * and the emulator hand them a wall clock, the simulator a virtual one, so the same code decides in both.
 */
export interface Clock {
  /** Milliseconds. Monotonic within one clock; the origin is the clock's own (process start, trace start). */
  now(): number;
}
