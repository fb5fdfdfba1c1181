/**
 * Fast non-cryptographic 53-bit hashes (cyrb53's two-lane mix), returned as plain numbers so hash chains stay
 * in the fast path of V8 (no BigInt). Used for prefix-block hash chains: the gateway's approximate prefix
 * index, the emulator's prefix cache and its KV events must agree on them.
 */
const M1 = 2654435761;
const M2 = 1597334677;

function finish(h1: number, h2: number): number {
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

export function hashString(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, M1);
    h2 = Math.imul(h2 ^ ch, M2);
  }
  return finish(h1, h2);
}

/** Hash of `values[start..end)` chained on `parent` (a previous 53-bit hash, or 0 for the first block). */
export function hashInts(values: ArrayLike<number>, start: number, end: number, parent = 0): number {
  let h1 = 0xdeadbeef ^ (parent >>> 0);
  let h2 = 0x41c6ce57 ^ Math.floor(parent / 4294967296);
  for (let i = start; i < end; i++) {
    const v = values[i] as number;
    h1 = Math.imul(h1 ^ v, M1);
    h2 = Math.imul(h2 ^ v, M2);
  }
  return finish(h1, h2);
}

/**
 * Chained hashes of the full `blockTokens`-sized blocks of a token sequence: block i's hash covers the
 * block and, through its parent, everything before it, so equal hashes at equal positions mean an equal
 * prefix (vLLM's prefix-cache block hashing, with a different hash function). A trailing partial block is
 * not hashed: engines cache only full blocks.
 */
export function chainBlockHashes(tokens: ArrayLike<number>, blockTokens: number, seed = 0): number[] {
  const blocks = Math.floor(tokens.length / blockTokens);
  const hashes = new Array<number>(blocks);
  let parent = seed;
  for (let b = 0; b < blocks; b++) {
    parent = hashInts(tokens, b * blockTokens, (b + 1) * blockTokens, parent);
    hashes[b] = parent;
  }
  return hashes;
}
