import { hashString } from '../util/hash.js';

/**
 * Switchyard's built-in tokenizer: a GPT-2-style pre-tokenizer (contractions, letter runs with their leading
 * space, digit runs, punctuation runs, whitespace) whose letter runs longer than 8 characters are split in
 * 4-character pieces, approximating a BPE vocabulary's merges. On English prose it lands within about ±15% of
 * cl100k/Llama-3 counts, with no vocabulary file and no dependency. It is exact for itself: the emulator
 * tokenizes prompts and counts the tokens it generates with it, so usage and the prefix cache agree with it.
 *
 * Counts from it for a real upstream are estimates and are marked as such (see docs/decisions).
 */
const PIECE = /'(?:s|t|re|ve|m|ll|d)\b| ?\p{L}+| ?\p{N}{1,3}| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;
const LONG_RUN = 8;
const SPLIT = 4;

/** The token strings of `text`, in order; joined they give `text` back. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(PIECE)) {
    const piece = match[0];
    if (piece.length <= LONG_RUN) {
      out.push(piece);
      continue;
    }
    for (let i = 0; i < piece.length; i += SPLIT) out.push(piece.slice(i, i + SPLIT));
  }
  return out;
}

export function countTokens(text: string): number {
  let count = 0;
  for (const match of text.matchAll(PIECE)) {
    const length = match[0].length;
    count += length <= LONG_RUN ? 1 : Math.ceil(length / SPLIT);
  }
  return count;
}

/** Token ids: a 31-bit hash of each piece, so equal text gives equal ids without a vocabulary. */
export function encode(text: string): number[] {
  return tokenize(text).map((piece) => hashString(piece) % 2147483647);
}
