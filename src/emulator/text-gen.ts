import { pick, randomInt, type Rng } from './rng.js';
import { WORDS, capitalise } from './vocabulary.js';

/**
 * Deterministic prose, one token per piece: sentences of 5–14 words, a comma now and then, a period at the
 * end. `pieces.join('')` is the text; the tokenizer splits it back into exactly these pieces.
 */
export function generatePieces(rng: Rng, count: number): string[] {
  const pieces: string[] = [];
  let sentenceLeft = 0;
  let first = true;
  while (pieces.length < count) {
    if (sentenceLeft === 0) {
      sentenceLeft = randomInt(rng, 5, 14);
      const word = capitalise(pick(rng, WORDS));
      pieces.push(first ? word : ` ${word}`);
      first = false;
      sentenceLeft--;
      continue;
    }
    pieces.push(` ${pick(rng, WORDS)}`);
    sentenceLeft--;
    if (pieces.length >= count) break;
    if (sentenceLeft === 0) pieces.push('.');
    else if (sentenceLeft > 2 && rng() < 0.08) pieces.push(',');
  }
  return pieces.slice(0, count);
}

/**
 * The natural length of an answer when nothing else stops it: uniform in [24, 255] tokens, drawn from the
 * request's rng (seeded by `seed`, else by the prompt's hash). Mean ≈ 140, near chat traces' output means
 * (reference/scheduling.md §5.2, §6). The engine model decides timing; this only decides how much.
 */
export const NATURAL_MIN = 24;
export const NATURAL_MAX = 255;

export function naturalLength(rng: Rng): number {
  return randomInt(rng, NATURAL_MIN, NATURAL_MAX);
}
