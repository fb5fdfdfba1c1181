/**
 * A minimal discrete-event driver for tests and the benchmark: feeds requests at their arrival times and
 * steps the engine back to back, as the simulator and the emulator do (not a test file itself).
 */
import type { Engine, EngineEvent, EngineRequest } from './types.js';

export interface DriveResult {
  events: EngineEvent[];
  steps: number;
  stepEnergyJ: number;
  endMs: number;
  finished: Map<string, Extract<EngineEvent, { type: 'finished' }>>;
  firstTokenMs: Map<string, number>;
}

export interface DriveOptions {
  /** Keep every event (tests); the benchmark only counts. */
  keepEvents?: boolean;
  /** Called before each step with the time it starts; may add or abort requests. */
  beforeStep?: (engine: Engine, nowMs: number) => void;
}

/** Runs until every request has finished. `requests` must be sorted by arrivalMs. */
export function drive(engine: Engine, requests: readonly EngineRequest[], options: DriveOptions = {}): DriveResult {
  const result: DriveResult = {
    events: [],
    steps: 0,
    stepEnergyJ: 0,
    endMs: 0,
    finished: new Map(),
    firstTokenMs: new Map(),
  };
  let next = 0;
  let now = requests.length > 0 ? (requests[0] as EngineRequest).arrivalMs : 0;
  for (;;) {
    while (next < requests.length && (requests[next] as EngineRequest).arrivalMs <= now) {
      engine.add(requests[next] as EngineRequest, (requests[next] as EngineRequest).arrivalMs);
      next++;
    }
    options.beforeStep?.(engine, now);
    if (!engine.hasWork()) {
      if (next >= requests.length) break;
      now = (requests[next] as EngineRequest).arrivalMs;
      continue;
    }
    const step = engine.step(now);
    result.steps++;
    result.stepEnergyJ += step.energyJ;
    for (const e of step.events) {
      if (options.keepEvents) result.events.push(e);
      if (e.type === 'finished') result.finished.set(e.id, e);
      else if (e.type === 'first-token') result.firstTokenMs.set(e.id, e.atMs);
    }
    now = step.endMs;
    result.endMs = now;
  }
  return result;
}
