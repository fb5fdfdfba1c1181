import { SimInputError } from '../types.js';

/** Calls `fn` for each line (1-based numbers), without building an array of lines. */
export function forEachLine(text: string, fn: (line: string, lineNo: number) => void): void {
  let start = 0;
  let lineNo = 1;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let line = text.slice(start, end);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    fn(line, lineNo);
    start = end + 1;
    lineNo++;
  }
}

/** An integer ≥ min from a JSON value or a CSV cell; `what` names the file, line and field. */
export function nonNegativeInteger(value: unknown, what: string, min = 0): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min) {
    throw new SimInputError(`${what} must be an integer ≥ ${min}, got ${JSON.stringify(value)}`);
  }
  return n;
}
