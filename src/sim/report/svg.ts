/**
 * Minimal SVG charts rendered as strings, for a report with no external assets: axes with "nice" ticks, line
 * series, a histogram and horizontal bars. Every value is escaped or a number.
 */
export const PALETTE = ['#2563eb', '#d97706', '#059669', '#dc2626', '#7c3aed', '#0891b2', '#db2777', '#65a30d'];

const W = 640;
const H = 240;
const M = { left: 56, right: 16, top: 16, bottom: 40 };

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const fmt = (v: number): string => {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toPrecision(3)}k`;
  return `${+v.toPrecision(3)}`;
};

/** Up to ~5 round tick values covering [0, max]. */
function ticks(max: number): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = 0; v <= max + step * 1e-9; v += step) out.push(v);
  if ((out.at(-1) as number) < max) out.push((out.at(-1) as number) + step);
  return out;
}

function frame(xTicks: { at: number; label: string }[], yTicks: number[], yMax: number, xLabel: string, yLabel: string): string {
  const iw = W - M.left - M.right;
  const ih = H - M.top - M.bottom;
  const parts: string[] = [];
  for (const t of yTicks) {
    const y = M.top + ih - (t / yMax) * ih;
    parts.push(`<line x1="${M.left}" x2="${M.left + iw}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" class="grid"/>`);
    parts.push(`<text x="${M.left - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end">${fmt(t)}</text>`);
  }
  for (const t of xTicks) {
    const x = M.left + t.at * iw;
    parts.push(`<text x="${x.toFixed(1)}" y="${M.top + ih + 16}" text-anchor="middle">${escapeXml(t.label)}</text>`);
  }
  parts.push(`<line x1="${M.left}" x2="${M.left + iw}" y1="${M.top + ih}" y2="${M.top + ih}" class="axis"/>`);
  parts.push(`<text x="${M.left + iw / 2}" y="${H - 6}" text-anchor="middle" class="label">${escapeXml(xLabel)}</text>`);
  parts.push(`<text x="14" y="${M.top + ih / 2}" text-anchor="middle" class="label" transform="rotate(-90 14 ${M.top + ih / 2})">${escapeXml(yLabel)}</text>`);
  return parts.join('');
}

function svg(body: string, title: string, height = H): string {
  return `<svg viewBox="0 0 ${W} ${height}" role="img" aria-label="${escapeXml(title)}">${body}</svg>`;
}

export interface Series {
  name: string;
  values: readonly number[];
}

/** Lines over equally spaced x (bucket i at i × xStep), x labelled in `xUnit`. */
export function lineChart(series: readonly Series[], xStep: number, xLabel: string, yLabel: string, yMaxHint = 0): string {
  const n = Math.max(1, ...series.map((s) => s.values.length));
  let max = yMaxHint;
  for (const s of series) for (const v of s.values) if (v > max) max = v;
  const yTicks = ticks(max);
  const yMax = yTicks.at(-1) as number;
  const iw = W - M.left - M.right;
  const ih = H - M.top - M.bottom;
  const xTicks = ticks(n * xStep).map((t) => ({ at: t / (ticks(n * xStep).at(-1) as number), label: fmt(t) }));
  const xMax = ticks(n * xStep).at(-1) as number;
  const paths = series.map((s, k) => {
    const points = s.values.map((v, i) => `${(M.left + (((i + 0.5) * xStep) / xMax) * iw).toFixed(1)},${(M.top + ih - (v / yMax) * ih).toFixed(1)}`);
    return `<polyline fill="none" stroke="${PALETTE[k % PALETTE.length]}" stroke-width="1.6" points="${points.join(' ')}"/>`;
  });
  return svg(frame(xTicks, yTicks, yMax, xLabel, yLabel) + paths.join(''), yLabel);
}

/**
 * Histogram of positive values over log-spaced bins (latencies span decades), with optional vertical
 * markers (percentiles, the SLO).
 */
export function logHistogram(sorted: Float64Array, xLabel: string, markers: { at: number; label: string; color: string }[]): string {
  const positive = sorted.filter((v) => v > 0);
  if (positive.length === 0) return svg(`<text x="${W / 2}" y="${H / 2}" text-anchor="middle">no samples</text>`, xLabel);
  const lo = Math.log10(positive[0] as number);
  let hi = Math.log10(positive.at(-1) as number);
  for (const m of markers) if (m.at > 0) hi = Math.max(hi, Math.log10(m.at));
  const from = Math.floor(lo * 4) / 4;
  const to = Math.max(from + 0.25, Math.ceil(hi * 4) / 4 + (hi * 4 === Math.ceil(hi * 4) ? 0.25 : 0));
  const bins = Math.round((to - from) * 8);
  const counts = new Array<number>(bins).fill(0);
  for (const v of positive) {
    const b = Math.min(bins - 1, Math.floor(((Math.log10(v) - from) / (to - from)) * bins));
    counts[b] = (counts[b] as number) + 1;
  }
  const yTicks = ticks(Math.max(...counts));
  const yMax = yTicks.at(-1) as number;
  const iw = W - M.left - M.right;
  const ih = H - M.top - M.bottom;
  const xAt = (v: number) => (Math.log10(v) - from) / (to - from);
  const xTicks: { at: number; label: string }[] = [];
  for (let d = Math.ceil(from); d <= to; d++) xTicks.push({ at: xAt(10 ** d), label: fmt(10 ** d) });
  const bars = counts.map((c, b) => {
    const h = (c / yMax) * ih;
    const x = M.left + (b / bins) * iw;
    return `<rect x="${x.toFixed(1)}" y="${(M.top + ih - h).toFixed(1)}" width="${(iw / bins - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="${PALETTE[0]}"/>`;
  });
  const marks = markers
    .filter((m) => m.at > 0)
    .map((m) => {
      const x = M.left + xAt(m.at) * iw;
      return `<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${M.top}" y2="${M.top + ih}" stroke="${m.color}" stroke-dasharray="4 3"/><text x="${(x + 3).toFixed(1)}" y="${M.top + 10}" fill="${m.color}">${escapeXml(m.label)}</text>`;
    });
  return svg(frame(xTicks, yTicks, yMax, xLabel, 'requests') + bars.join('') + marks.join(''), xLabel);
}

/** Horizontal bars, one per item, labelled with the value and its share of the total. */
export function shareBars(items: readonly { name: string; value: number }[], unit: (v: number) => string): string {
  const total = items.reduce((s, i) => s + i.value, 0);
  const max = Math.max(0, ...items.map((i) => i.value));
  const rowH = 28;
  const height = M.top + items.length * rowH + 8;
  const left = 140;
  const width = W - left - 150;
  const rows = items.map((item, k) => {
    const y = M.top + k * rowH;
    const w = max > 0 ? (item.value / max) * width : 0;
    const share = total > 0 ? ((item.value / total) * 100).toFixed(1) : '0.0';
    return (
      `<text x="${left - 8}" y="${y + 17}" text-anchor="end">${escapeXml(item.name)}</text>` +
      `<rect x="${left}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowH - 10}" fill="${PALETTE[k % PALETTE.length]}"/>` +
      `<text x="${(left + w + 6).toFixed(1)}" y="${y + 17}">${escapeXml(`${unit(item.value)} (${share}%)`)}</text>`
    );
  });
  return svg(rows.join(''), 'share', height);
}
