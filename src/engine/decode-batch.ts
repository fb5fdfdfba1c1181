/**
 * The running decoders, in aggregate. Every decoder gains one token per step, so the batch is a count and a
 * summed context that advance together; nobody is visited per step. Three structures answer the per-step
 * questions in O(1) or O(log n):
 * - which decoders finish: a min-heap on the step they produce their last token;
 * - how many need a fresh KV block: a decoder whose context before step t is c needs one iff c % blockSize
 *   is 0, and c = ctxAtJoin + (t - joinStep), so decoders are counted by (ctxAtJoin - joinStep) mod blockSize;
 * - how much energy each used: the engine's prefix sum of joules per token, read at join and at leave.
 */
import { PairHeap } from './heap.js';
import { DECODE, type Sequence } from './sequence.js';

export class DecodeBatch {
  count = 0;
  /** Sum over decoders of the tokens in their KV cache. */
  ctx = 0;
  private readonly blockSize: number;
  private readonly residue: Int32Array;
  private readonly finishHeap = new PairHeap<Sequence>();

  constructor(blockSize: number) {
    this.blockSize = blockSize;
    this.residue = new Int32Array(blockSize);
  }

  /** Decoders that need a fresh block in the step with index `stepNo` (completed steps so far). */
  needingBlocks(stepNo: number): number {
    return this.residue[(this.blockSize - (stepNo % this.blockSize)) % this.blockSize] as number;
  }

  /** `s` finished its prefill; its first decode step is `stepNo`. */
  join(s: Sequence, stepNo: number, cumJPerToken: number): void {
    s.phase = DECODE;
    s.joinStep = stepNo;
    s.ctxAtJoin = s.computed;
    const b = this.blockSize;
    s.residueKey = (((s.ctxAtJoin - s.joinStep) % b) + b) % b;
    (this.residue[s.residueKey] as number)++;
    this.count++;
    this.ctx += s.ctxAtJoin;
    s.energyBase = cumJPerToken;
    this.finishHeap.push(s.joinStep + s.outputTokens - s.generated, s.order, s, s.epoch);
  }

  /** Takes `s` out, settling its generated tokens and energy; returns its KV context in tokens. */
  leave(s: Sequence, stepNo: number, cumJPerToken: number): number {
    const steps = stepNo - s.joinStep;
    const ctx = s.ctxAtJoin + steps;
    s.generated += steps;
    s.energyJ += cumJPerToken - s.energyBase;
    (this.residue[s.residueKey] as number)--;
    this.count--;
    this.ctx -= ctx;
    s.epoch++;
    return ctx;
  }

  /** After a step: everyone gained a token. */
  advance(): void {
    this.ctx += this.count;
  }

  /** The next decoder whose last token came out by step `stepNo`, or null (stale heap slots skipped). */
  popFinished(stepNo: number): Sequence | null {
    const heap = this.finishHeap;
    while (heap.size > 0 && heap.peekKey1() <= stepNo) {
      const s = heap.peekValue();
      const stale = heap.peekEpoch() !== s.epoch || s.phase !== DECODE;
      heap.pop();
      if (!stale) return s;
    }
    return null;
  }
}
