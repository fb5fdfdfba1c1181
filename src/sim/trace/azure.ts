import { SimInputError, type SimRequest } from '../types.js';
import { forEachLine, nonNegativeInteger } from './lines.js';
import { sortByArrival, type TraceLoad } from './mooncake.js';

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?$/;

/**
 * Wall-clock `2023-11-16 18:17:03.9799600` (7 fractional digits in the Azure files), as UTC: whole epoch
 * milliseconds and the sub-millisecond rest kept apart, because an epoch in ms (~1.7e12) has no room in a
 * double for 100 ns digits.
 */
export function parseAzureTimestamp(text: string): { ms: number; fracMs: number } | undefined {
  const m = TIMESTAMP.exec(text.trim());
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (!Number.isFinite(ms)) return undefined;
  const sub = frac === undefined ? 0 : Number(`0.${frac}`) * 1000;
  const whole = Math.floor(sub);
  return { ms: ms + whole, fracMs: sub - whole };
}

/**
 * Reads Azure's LLM inference trace CSV (Patel et al., Splitwise, ISCA 2024): a header naming
 * `TIMESTAMP`, `ContextTokens`, `GeneratedTokens` (any order), then one request a row. Arrivals are made
 * relative to the earliest row. The trace has no prefix information, so requests carry no block hashes.
 */
export function parseAzure(text: string, options: { file: string }): TraceLoad {
  let columns: { ts: number; ctx: number; gen: number } | undefined;
  const rows: { at: { ms: number; fracMs: number }; promptTokens: number; outputTokens: number }[] = [];
  forEachLine(text, (line, lineNo) => {
    if (line.trim() === '') return;
    const where = `${options.file}:${lineNo}`;
    const cells = line.split(',');
    if (columns === undefined) {
      const names = cells.map((c) => c.trim());
      const ts = names.indexOf('TIMESTAMP');
      const ctx = names.indexOf('ContextTokens');
      const gen = names.indexOf('GeneratedTokens');
      if (ts < 0 || ctx < 0 || gen < 0) {
        throw new SimInputError(`${where}: header must name TIMESTAMP, ContextTokens and GeneratedTokens, got "${line}"`);
      }
      columns = { ts, ctx, gen };
      return;
    }
    if (cells.length < 3) throw new SimInputError(`${where}: expected 3 comma-separated fields, got ${cells.length}`);
    const at = parseAzureTimestamp(cells[columns.ts] ?? '');
    if (at === undefined) {
      throw new SimInputError(`${where}: field "TIMESTAMP" must look like 2023-11-16 18:17:03.9799600, got ${JSON.stringify(cells[columns.ts] ?? '')}`);
    }
    const promptTokens = nonNegativeInteger(cells[columns.ctx], `${where}: field "ContextTokens"`, 1);
    const outputTokens = nonNegativeInteger(cells[columns.gen], `${where}: field "GeneratedTokens"`, 1);
    rows.push({ at, promptTokens, outputTokens });
  });
  if (columns === undefined) throw new SimInputError(`${options.file}: empty file (expected a CSV header)`);
  let first = { ms: Infinity, fracMs: 0 };
  for (const row of rows) if (row.at.ms < first.ms || (row.at.ms === first.ms && row.at.fracMs < first.fracMs)) first = row.at;
  const requests: SimRequest[] = rows.map((row) => ({
    arrivalMs: row.at.ms - first.ms + (row.at.fracMs - first.fracMs),
    promptTokens: row.promptTokens,
    outputTokens: row.outputTokens,
    blockHashes: [],
    blockTokens: 512,
  }));
  return { requests: sortByArrival(requests), jitterMs: 0 };
}
