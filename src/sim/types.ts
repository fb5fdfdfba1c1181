import type { Priority } from '../spec/request.js';

/**
 * One request of a workload, as the simulator replays it. Traces and generators both produce these, in
 * arrival order. Block hashes follow Mooncake's `hash_ids`: equal id at equal position ⇒ equal prefix up to
 * and including that block; only full blocks are listed (engines cache only full blocks).
 */
export interface SimRequest {
  /** Virtual time of arrival, ms from the start of the workload. */
  arrivalMs: number;
  promptTokens: number;
  outputTokens: number;
  blockHashes: readonly number[];
  /** Tokens per hashed block (512 for Mooncake traces and the synthetic generators). */
  blockTokens: number;
  priority?: Priority;
  tenant?: string;
  /** Public model name; when absent every replica of the fleet is a candidate. */
  model?: string;
}

/** A bad input file or value: the message names the file and line or the field. CLIs print it and exit 1. */
export class SimInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimInputError';
  }
}
