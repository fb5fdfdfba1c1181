/**
 * What the request path needs of a cancellation: whether and why the request was cancelled, and listeners
 * told once when it is — the part of `AbortSignal` it uses. `AbortSignal` satisfies it (tests and library
 * callers pass one); the gateway passes a `Cancellation` (src/util/cancellation.ts), which does the same
 * without an EventTarget per request.
 */
export interface CancelSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: CancelListener, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: CancelListener): void;
}

export type CancelListener = (() => void) | { handleEvent(): void };
