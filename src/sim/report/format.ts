/** Number formatting shared by the summary table and the HTML report. */
export const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

export const ms = (v: number): string => (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : v >= 100 ? `${v.toFixed(0)} ms` : `${v.toFixed(1)} ms`);

export const usd = (v: number): string => (v >= 100 ? `$${v.toFixed(0)}` : v >= 1 ? `$${v.toFixed(2)}` : `$${v.toFixed(4)}`);

export function joules(v: number): string {
  if (v >= 1e9) return `${(v / 1e9).toFixed(2)} GJ`;
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)} MJ`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(2)} kJ`;
  return `${v.toFixed(1)} J`;
}

export const int = (v: number): string => Math.round(v).toLocaleString('en-US');
