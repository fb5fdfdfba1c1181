import { SimInputError, type SimRequest } from '../types.js';
import { randomStream } from '../seeded.js';
import { forEachLine, nonNegativeInteger } from './lines.js';

/** Mooncake traces hash 512-token blocks (FAST'25 artifact README, appendix A). */
export const MOONCAKE_BLOCK_TOKENS = 512;

export interface MooncakeOptions {
  /** Names the source in errors. */
  file: string;
  seed: number;
  /**
   * Width of the uniform jitter added to each timestamp, ms. `auto` (the default) detects quantised
   * timestamps (most requests share their predecessor's timestamp, as in the conversation trace's ~3 s
   * steps) and spreads each request uniformly over its step; ms-resolution traces are left alone.
   */
  jitterMs?: number | 'auto';
}

export interface TraceLoad {
  requests: SimRequest[];
  /** The jitter applied, ms (0 when none). */
  jitterMs: number;
}

/**
 * Reads the Mooncake JSONL format: one object a line with `timestamp` (ms), `input_length`,
 * `output_length` and `hash_ids` (prefix-chained ids of 512-token blocks; `len == ceil(input/512)`). Only
 * the ids of full blocks are kept, because engines cache only full blocks (and the engine contract's
 * `blockHashes` are full blocks). Blank lines are skipped; anything else malformed is an error naming the
 * file and line.
 */
export function parseMooncake(text: string, options: MooncakeOptions): TraceLoad {
  const timestamps: number[] = [];
  const requests: SimRequest[] = [];
  forEachLine(text, (line, lineNo) => {
    if (line.trim() === '') return;
    const where = `${options.file}:${lineNo}`;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      throw new SimInputError(`${where}: not valid JSON`);
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new SimInputError(`${where}: expected a JSON object`);
    const record = row as Record<string, unknown>;
    const timestamp = record['timestamp'];
    if (typeof timestamp !== 'number' || !Number.isFinite(timestamp) || timestamp < 0) {
      throw new SimInputError(`${where}: field "timestamp" must be a non-negative number of ms, got ${JSON.stringify(timestamp)}`);
    }
    const promptTokens = nonNegativeInteger(record['input_length'], `${where}: field "input_length"`, 1);
    const outputTokens = nonNegativeInteger(record['output_length'], `${where}: field "output_length"`, 1);
    const ids = record['hash_ids'] ?? [];
    if (!Array.isArray(ids)) throw new SimInputError(`${where}: field "hash_ids" must be an array of integers`);
    const full = Math.min(ids.length, Math.floor(promptTokens / MOONCAKE_BLOCK_TOKENS));
    const blockHashes = new Array<number>(full);
    for (let i = 0; i < ids.length; i++) {
      const id: unknown = ids[i];
      if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
        throw new SimInputError(`${where}: field "hash_ids[${i}]" must be a non-negative integer, got ${JSON.stringify(id)}`);
      }
      if (i < full) blockHashes[i] = id;
    }
    timestamps.push(timestamp);
    requests.push({ arrivalMs: timestamp, promptTokens, outputTokens, blockHashes, blockTokens: MOONCAKE_BLOCK_TOKENS });
  });
  const jitterMs = options.jitterMs === undefined || options.jitterMs === 'auto' ? detectQuantum(timestamps) : options.jitterMs;
  if (jitterMs > 0) {
    const random = randomStream(options.seed, 'mooncake-jitter');
    for (const request of requests) request.arrivalMs += random.next() * jitterMs;
  }
  return { requests: sortByArrival(requests), jitterMs };
}

/**
 * The timestamp step of a quantised trace: when at least half the requests share their predecessor's
 * timestamp, the median gap between distinct timestamps (3,000 ms for the conversation trace); else 0.
 */
export function detectQuantum(timestamps: readonly number[]): number {
  if (timestamps.length < 2) return 0;
  const sorted = [...timestamps].sort((a, b) => a - b);
  let shared = 0;
  const gaps: number[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const gap = (sorted[i] as number) - (sorted[i - 1] as number);
    if (gap === 0) shared++;
    else gaps.push(gap);
  }
  if (shared * 2 < sorted.length || gaps.length === 0) return 0;
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 2)] as number;
}

/** Stable sort by arrival: equal times keep file order, so the replay is deterministic. */
export function sortByArrival(requests: SimRequest[]): SimRequest[] {
  const order = requests.map((_, i) => i);
  order.sort((a, b) => (requests[a] as SimRequest).arrivalMs - (requests[b] as SimRequest).arrivalMs || a - b);
  return order.map((i) => requests[i] as SimRequest);
}
