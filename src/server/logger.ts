/**
 * A small structured logger: one JSON line per record on stderr, levels, and no formatting work for
 * records below the level. Fields whose names look secret (authorization, api keys, tokens) are
 * replaced before writing, and URLs lose their query strings (Gemini's `?key=`). pino would do; this is
 * ~60 lines and keeps the runtime dependency list short.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };
const SECRET = /authorization|api[-_]?key|secret|password|token$|^key$|cookie/i;

export interface Logger {
  readonly level: LogLevel;
  enabled(level: LogLevel): boolean;
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export function createLogger(level: LogLevel = 'info', write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const threshold = RANK[level];
  const log = (at: LogLevel, message: string, fields?: Record<string, unknown>): void => {
    if (RANK[at] < threshold) return;
    const record: Record<string, unknown> = { time: new Date().toISOString(), level: at, msg: message };
    if (fields !== undefined) for (const key in fields) record[key] = redact(key, fields[key]);
    write(`${JSON.stringify(record)}\n`);
  };
  return {
    level,
    enabled: (at) => RANK[at] >= threshold,
    debug: (message, fields) => log('debug', message, fields),
    info: (message, fields) => log('info', message, fields),
    warn: (message, fields) => log('warn', message, fields),
    error: (message, fields) => log('error', message, fields),
  };
}

export function redact(key: string, value: unknown): unknown {
  if (SECRET.test(key)) return '[redacted]';
  if (typeof value === 'string') return stripQuery(value);
  if (value instanceof Error) return { name: value.name, message: stripQuery(value.message) };
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redact(k, v);
    return out;
  }
  return value;
}

/** `https://host/path?key=abc` → `https://host/path?[redacted]` wherever a URL appears in a string. */
function stripQuery(text: string): string {
  return text.includes('?') ? text.replace(/(https?:\/\/[^\s?"']*)\?[^\s"']*/g, '$1?[redacted]') : text;
}
