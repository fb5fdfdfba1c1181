import { hashString } from '../util/hash.js';
import { Random } from '../util/random.js';

/**
 * An independent random stream per purpose (arrivals, lengths, jitter…), derived from the run's seed and a
 * label: adding a draw to one purpose never shifts the numbers another purpose sees.
 */
export function randomStream(seed: number, label: string): Random {
  return new Random((seed ^ hashString(label)) >>> 0);
}
