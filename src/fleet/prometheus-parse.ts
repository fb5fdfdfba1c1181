/**
 * A reader of the Prometheus text exposition format 0.0.4 (prometheus.io/docs/instrumenting/
 * exposition_formats), which vLLM's and SGLang's `/metrics` speak (prometheus_client). Written for the
 * gateway's scrape loop, which reads a handful of gauges from every replica every 100 ms or faster:
 *
 * - a sample is `name{label="value",…} value [timestamp]`; label values escape `\\`, `\"` and `\n`;
 *   values are Go floats: `NaN`, `+Inf`, `-Inf`, `1e-3`, …; a trailing comma in the label set is legal;
 * - `# HELP name text` and `# TYPE name type` are kept; any other `#` line is a comment;
 * - a line that does not parse is reported in `errors` and skipped, so one odd series (a newer
 *   exposition feature, a buggy exporter) does not blind the scheduler to the rest;
 * - `only` skips unwanted samples after reading just their name, so a large vLLM page (hundreds of
 *   histogram buckets) costs little more than scanning its lines.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
  /** Milliseconds since the epoch, when the exporter gave one. */
  timestampMs?: number;
}

export interface ParsedMetrics {
  samples: Sample[];
  /** `# TYPE` per metric family name. */
  types: Map<string, string>;
  /** `# HELP` per metric family name, unescaped. */
  help: Map<string, string>;
  /** `line N: why` for each line skipped. */
  errors: string[];
}

export interface ParseOptions {
  /** Keep only samples whose name passes. */
  only?: (name: string) => boolean;
}

export function parsePrometheusText(text: string, options: ParseOptions = {}): ParsedMetrics {
  const out: ParsedMetrics = { samples: [], types: new Map(), help: new Map(), errors: [] };
  let lineNo = 0;
  let start = 0;
  const length = text.length;
  while (start < length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = length;
    lineNo++;
    // Skip leading blanks without copying the line; blank lines are skipped.
    let first = start;
    while (first < end && (text.charCodeAt(first) === 32 || text.charCodeAt(first) === 9)) first++;
    let last = end;
    if (last > first && text.charCodeAt(last - 1) === 13) last--;
    if (first < last) {
      try {
        readLine(text, first, last, out, options);
      } catch (error) {
        out.errors.push(`line ${lineNo}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    start = end + 1;
  }
  return out;
}

function readLine(text: string, first: number, last: number, out: ParsedMetrics, options: ParseOptions): void {
  if (text.charCodeAt(first) === 35 /* # */) {
    const m = /^#\s*(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(text.slice(first, last));
    if (m === null) return; // a plain comment
    const name = m[2] as string;
    if (m[1] === 'TYPE') out.types.set(name, (m[3] ?? '').trim());
    else out.help.set(name, unescapeHelp(m[3] ?? ''));
    return;
  }
  let i = first;
  if (!isNameStart(text.charCodeAt(i))) throw new Error(`bad metric name at ${JSON.stringify(text.slice(first, Math.min(last, first + 40)))}`);
  i++;
  while (i < last && isNameChar(text.charCodeAt(i))) i++;
  const name = text.slice(first, i);
  // The scrape loop keeps a handful of series: the rest cost only the scan for their name.
  if (options.only !== undefined && !options.only(name)) return;
  const line = text.slice(first, last);
  const cursor = { i: i - first };
  const labels: Record<string, string> = {};
  skipBlanks(line, cursor);
  if (line[cursor.i] === '{') {
    cursor.i++;
    readLabels(line, cursor, labels);
  }
  const rest = line.slice(cursor.i).trim().split(/[ \t]+/);
  if (rest.length === 0 || rest[0] === '') throw new Error(`sample ${name} has no value`);
  if (rest.length > 2) throw new Error(`sample ${name} has trailing text`);
  const sample: Sample = { name, labels, value: parseValue(rest[0] as string) };
  if (rest.length === 2) {
    const ts = Number(rest[1]);
    if (!Number.isFinite(ts)) throw new Error(`sample ${name} has a bad timestamp ${JSON.stringify(rest[1])}`);
    sample.timestampMs = ts;
  }
  out.samples.push(sample);
}

/** [a-zA-Z_:] */
function isNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58;
}

/** [a-zA-Z0-9_:] */
function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57);
}

function readLabels(line: string, cursor: { i: number }, labels: Record<string, string>): void {
  for (;;) {
    skipBlanks(line, cursor);
    if (line[cursor.i] === '}') {
      cursor.i++;
      return;
    }
    const begin = cursor.i;
    while (cursor.i < line.length && /[a-zA-Z0-9_]/.test(line[cursor.i] as string)) cursor.i++;
    const label = line.slice(begin, cursor.i);
    if (label === '' || /^[0-9]/.test(label)) throw new Error(`bad label name at column ${begin + 1}`);
    skipBlanks(line, cursor);
    if (line[cursor.i] !== '=') throw new Error(`expected = after label ${label}`);
    cursor.i++;
    skipBlanks(line, cursor);
    if (line[cursor.i] !== '"') throw new Error(`expected a quoted value for label ${label}`);
    cursor.i++;
    let value = '';
    for (;;) {
      const ch = line[cursor.i];
      if (ch === undefined) throw new Error(`unterminated value of label ${label}`);
      cursor.i++;
      if (ch === '"') break;
      if (ch === '\\') {
        const next = line[cursor.i];
        cursor.i++;
        if (next === 'n') value += '\n';
        else if (next === '\\' || next === '"') value += next;
        else if (next === undefined) throw new Error(`unterminated value of label ${label}`);
        else value += `\\${next}`; // unknown escape: kept as written, as Prometheus' own lexer does
      } else value += ch;
    }
    labels[label] = value;
    skipBlanks(line, cursor);
    if (line[cursor.i] === ',') cursor.i++;
    else if (line[cursor.i] !== '}') throw new Error(`expected , or } after label ${label}`);
  }
}

function skipBlanks(line: string, cursor: { i: number }): void {
  while (line[cursor.i] === ' ' || line[cursor.i] === '\t') cursor.i++;
}

/** Go's ParseFloat spellings, which Prometheus accepts: NaN, ±Inf (any case), decimal and exponent forms. */
export function parseValue(raw: string): number {
  const lower = raw.toLowerCase();
  if (lower === 'nan') return Number.NaN;
  if (lower === '+inf' || lower === 'inf' || lower === '+infinity' || lower === 'infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw) && !/^0[xX][0-9a-fA-F]+$/.test(raw)) {
    throw new Error(`bad value ${JSON.stringify(raw.slice(0, 40))}`);
  }
  return Number(raw);
}

function unescapeHelp(text: string): string {
  return text.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
}
