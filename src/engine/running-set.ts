import { PREFILL, type Sequence } from './sequence.js';

/**
 * The running batch's membership: every running sequence (O(1) removal through `runIndex`), and the ones
 * still prefilling in admission order (the order their chunks are scheduled in, as vLLM's running queue).
 * Decoders are not listed separately: DecodeBatch advances them in aggregate.
 */
export class RunningSet {
  readonly all: Sequence[] = [];
  /** Running sequences still prefilling, in admission order; may hold finished ones until `compact`. */
  readonly prefilling: Sequence[] = [];

  get size(): number {
    return this.all.length;
  }

  /** A waiting sequence was admitted: it starts prefilling. */
  admit(s: Sequence): void {
    s.runIndex = this.all.length;
    this.all.push(s);
    this.prefilling.push(s);
  }

  /** Leaves the batch (finished, preempted or aborted); a prefilling one stays listed until `compact`. */
  remove(s: Sequence): void {
    const i = s.runIndex;
    const last = this.all.pop() as Sequence;
    if (last !== s) {
      this.all[i] = last;
      last.runIndex = i;
    }
    s.runIndex = -1;
  }

  /** Removes a prefilling sequence from both lists at once (an abort between steps). */
  removePrefilling(s: Sequence): void {
    this.remove(s);
    this.prefilling.splice(this.prefilling.indexOf(s), 1);
  }

  /** The preemption victim: the newest request of the lowest priority (largest number, then latest arrival). */
  victim(): Sequence {
    const running = this.all;
    let victim = running[0] as Sequence;
    for (let i = 1; i < running.length; i++) {
      const s = running[i] as Sequence;
      if (s.priority > victim.priority || (s.priority === victim.priority && s.order > victim.order)) victim = s;
    }
    return victim;
  }

  /** Drops sequences that are no longer prefilling, keeping the order of the rest. */
  compact(): void {
    let j = 0;
    const list = this.prefilling;
    for (let i = 0; i < list.length; i++) {
      const p = list[i] as Sequence;
      if (p.phase === PREFILL) list[j++] = p;
    }
    list.length = j;
  }
}
