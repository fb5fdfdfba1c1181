const UNITS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** `90m`, `24h`, `7d`, `2w` → milliseconds; undefined when the text is not a span. */
export function parseSpanMs(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(m|h|d|w)$/.exec(text.trim());
  return m === null ? undefined : Number(m[1]) * UNITS[m[2] as keyof typeof UNITS];
}

/**
 * An ISO date or date-time → epoch ms, in UTC unless it names its zone; undefined when not one.
 * (Date parses date-only strings as UTC but zone-less date-times as local time; we add Z so every
 * report is in UTC whatever the machine's zone.)
 */
export function parseInstant(text: string): number | undefined {
  const t = text.trim();
  if (!/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(t)) return undefined;
  const withZone = /[T ]/.test(t) && !/(Z|[+-]\d{2}:?\d{2})$/.test(t) ? `${t.replace(' ', 'T')}Z` : t;
  const ms = Date.parse(withZone);
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * `--since` / `?since=`: a span back from now (`90m`, `24h`, `7d`, `2w`) or an ISO date/time
 * (`2026-11-01`, `2026-11-01T08:00:00Z`). Returns epoch ms, or throws a RangeError naming the input.
 */
export function parseSince(text: string, now: number = Date.now()): number {
  const span = parseSpanMs(text);
  if (span !== undefined) return now - span;
  const instant = parseInstant(text);
  if (instant !== undefined) return instant;
  throw new RangeError(`"${text}" is not a time: use 90m, 24h, 7d, 2w or an ISO date like 2026-11-01`);
}

/** `--expires 30d` (from now) or an ISO date/time → epoch ms. */
export function parseExpiry(text: string, now: number = Date.now()): number {
  const span = parseSpanMs(text);
  if (span !== undefined) return now + span;
  const instant = parseInstant(text);
  if (instant !== undefined) return instant;
  throw new RangeError(`"${text}" is not an expiry: use 30d, 12h or an ISO date like 2027-01-01`);
}
