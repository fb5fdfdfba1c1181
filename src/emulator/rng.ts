import { Random } from '../util/random.js';

/**
 * The emulator draws everything — natural output length, words, tool argument values, fault decisions —
 * from a seeded stream (src/util/random.ts), so a seed reproduces a run exactly. A plain `() => number`
 * keeps the generators independent of the class.
 */
export type Rng = () => number;

export function createRng(seed: number): Rng {
  // Fold a 53-bit hash into 32 bits so both halves matter.
  const random = new Random((Math.floor(seed) ^ Math.floor(seed / 4294967296)) >>> 0);
  return () => random.next();
}

/** An integer in [min, max]. */
export function randomInt(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  const item = items[Math.floor(rng() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}
