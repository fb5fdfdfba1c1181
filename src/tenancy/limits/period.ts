import type { BudgetPeriod } from '../types.js';

export interface Period {
  /** `2026-11-22` (day) or `2026-11` (month), UTC. */
  id: string;
  startMs: number;
  endMs: number;
}

/** The UTC calendar period containing `now`. Budgets reset at 00:00 UTC (day) or on the 1st (month). */
export function periodOf(now: number, period: BudgetPeriod): Period {
  const d = new Date(now);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  if (period === 'day') {
    const startMs = Date.UTC(y, m, d.getUTCDate());
    return { id: new Date(startMs).toISOString().slice(0, 10), startMs, endMs: startMs + 86_400_000 };
  }
  const startMs = Date.UTC(y, m, 1);
  return { id: new Date(startMs).toISOString().slice(0, 7), startMs, endMs: Date.UTC(y, m + 1, 1) };
}
