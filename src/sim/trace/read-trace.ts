import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { SimInputError, type SimRequest } from '../types.js';
import { parseAzure } from './azure.js';
import { parseMooncake, type TraceLoad } from './mooncake.js';

export type TraceFormat = 'mooncake' | 'azure';
export const TRACE_FORMATS: readonly TraceFormat[] = ['mooncake', 'azure'];

export interface ReadTraceOptions {
  format?: TraceFormat;
  seed?: number;
  /** Mooncake timestamp jitter, ms, or `auto` (see parseMooncake). */
  jitterMs?: number | 'auto';
}

/** `.jsonl`/`.json` is Mooncake, `.csv` is Azure; anything else needs an explicit format. */
export function detectFormat(file: string): TraceFormat {
  const ext = extname(file).toLowerCase();
  if (ext === '.jsonl' || ext === '.json') return 'mooncake';
  if (ext === '.csv') return 'azure';
  throw new SimInputError(`${file}: cannot tell the trace format from the extension "${ext}"; pass --format ${TRACE_FORMATS.join('|')}`);
}

export function readFileText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new SimInputError(`${what} not found: ${file}`);
    if (code === 'EISDIR') throw new SimInputError(`${what} is a directory: ${file}`);
    throw new SimInputError(`cannot read ${what} ${file}: ${(error as Error).message}`);
  }
}

export function parseTrace(text: string, file: string, options: ReadTraceOptions = {}): TraceLoad {
  const format = options.format ?? detectFormat(file);
  if (format === 'azure') return parseAzure(text, { file });
  return parseMooncake(text, { file, seed: options.seed ?? 1, ...(options.jitterMs === undefined ? {} : { jitterMs: options.jitterMs }) });
}

/** Reads a trace file; every problem is a SimInputError naming the file (and line, for content errors). */
export function readTrace(file: string, options: ReadTraceOptions = {}): TraceLoad {
  const format = options.format ?? detectFormat(file);
  return parseTrace(readFileText(file, 'trace file'), file, { ...options, format });
}

/**
 * `--rate-scale X` multiplies the arrival rate by X (times divided by X, measured from the first arrival),
 * then `--limit N` keeps the first N arrivals. Returns new request objects; the input is untouched.
 */
export function shapeTrace(requests: readonly SimRequest[], options: { rateScale?: number; limit?: number; skip?: number }): SimRequest[] {
  const scale = options.rateScale ?? 1;
  if (!(scale > 0) || !Number.isFinite(scale)) throw new SimInputError(`rate scale must be a positive number, got ${scale}`);
  const skip = options.skip ?? 0;
  if (!Number.isSafeInteger(skip) || skip < 0) throw new SimInputError(`skip must be a non-negative integer, got ${skip}`);
  const kept = requests.slice(skip, options.limit === undefined ? undefined : skip + options.limit);
  const origin = kept.length === 0 ? 0 : (kept[0] as SimRequest).arrivalMs;
  return kept.map((r) => ({ ...r, arrivalMs: (r.arrivalMs - origin) / scale }));
}
