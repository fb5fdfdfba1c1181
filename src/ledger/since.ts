/**
 * `--since` / `?since=`: a relative span back from now (`90m`, `24h`, `7d`, `2w`) or an ISO date/time
 * (`2026-11-01`, `2026-11-01T08:00:00Z`). Returns epoch ms, or throws a RangeError that names the input.
 */
export function parseSince(text: string, now: number = Date.now()): number {
  const rel = /^(\d+(?:\.\d+)?)\s*(m|h|d|w)$/.exec(text.trim());
  if (rel !== null) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[rel[2] as 'm' | 'h' | 'd' | 'w'];
    return now - Number(rel[1]) * unit;
  }
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim())) {
    // A bare date means midnight UTC (Date parses date-only strings as UTC; date-times without a zone
    // as local time, so we add Z to keep every report in UTC).
    const t = text.trim();
    const withZone = /[T ]/.test(t) && !/(Z|[+-]\d{2}:?\d{2})$/.test(t) ? `${t.replace(' ', 'T')}Z` : t;
    const ms = Date.parse(withZone);
    if (Number.isFinite(ms)) return ms;
  }
  throw new RangeError(`"${text}" is not a time: use 90m, 24h, 7d, 2w or an ISO date like 2026-11-01`);
}
