import type { CancelListener, CancelSignal } from '../spec/cancel.js';

/**
 * A cancellation for one request: `cancel(reason)` once, and every listener hears it once (like an
 * AbortController and its signal, in one object).
 *
 * Why not AbortController: the gateway made one per request, and an AbortController with its signal (an
 * EventTarget with two maps) cost CPU on every request and, measured with V8's heap statistics, about
 * 700 bytes a request of old-generation growth even when dropped at once; with a listener added and
 * removed, about 1 kB. Under load that grew the heap by tens of MB between full collections. This is a
 * flag, a reason and a short listener list.
 */
export class Cancellation implements CancelSignal {
  aborted = false;
  reason: unknown = undefined;
  #listeners: CancelListener[] | undefined;

  addEventListener(_type: 'abort', listener: CancelListener): void {
    if (this.aborted) return; // as AbortSignal: a listener added after the fact is never called
    (this.#listeners ??= []).push(listener);
  }

  removeEventListener(_type: 'abort', listener: CancelListener): void {
    const listeners = this.#listeners;
    if (listeners === undefined) return;
    const at = listeners.lastIndexOf(listener);
    if (at >= 0) listeners.splice(at, 1);
  }

  cancel(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners === undefined) return;
    for (const listener of listeners) {
      if (typeof listener === 'function') listener();
      else listener.handleEvent();
    }
  }
}
