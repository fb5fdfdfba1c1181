/** Helpers shared by the emulator's tests (not part of the emulator's API). */
import { readSse, type SseMessage } from '../util/sse.js';

/** Polls `check` until it returns true; fails after `attempts` polls (never asserts on elapsed time). */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string, attempts = 500): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`gave up waiting for ${what}`);
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A strict reader of the Prometheus text format: every non-comment line must be `name{labels} value`. */
export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null) throw new Error(`not a Prometheus sample: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1] as string] = l[2] as string;
    const raw = m[3] as string;
    const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw);
    if (Number.isNaN(value) && raw !== 'NaN') throw new Error(`bad value in: ${line}`);
    samples.push({ name: m[1] as string, labels, value });
  }
  return samples;
}

export function metric(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const s = samples.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v));
  return s?.value;
}

export async function scrape(url: string): Promise<Sample[]> {
  const res = await fetch(`${url}/metrics`);
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  return parsePrometheus(await res.text());
}

/** Opens an SSE stream and hands its messages to `onMessage` until aborted. */
export async function subscribe(url: string, signal: AbortSignal, onMessage: (m: SseMessage) => void): Promise<void> {
  const res = await fetch(url, { signal });
  if (res.body === null) throw new Error('no body');
  try {
    for await (const m of readSse(res.body)) onMessage(m);
  } catch (error) {
    if (!signal.aborted) throw error;
  }
}
