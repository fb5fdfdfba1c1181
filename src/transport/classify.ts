import { errors as undiciErrors } from 'undici';
import { UpstreamError } from '../errors/upstream-error.js';
import type { CancelSignal } from '../spec/cancel.js';

/** When a failure happened, for the message and the kind: before the response counts as a connect failure. */
export type FailurePhase = 'before the response' | 'while reading the body';

/**
 * An undici failure as an `UpstreamError` whose `kind` the retry loop understands. The caller's own abort
 * (client gone) is not an upstream failure: its reason is returned untouched.
 */
export function classifyFailure(error: unknown, url: string, signal: CancelSignal | undefined, phase: FailurePhase): unknown {
  if (signal?.aborted === true) return signal.reason ?? error;
  const where = `${originOf(url)} ${phase}`;
  if (error instanceof undiciErrors.HeadersTimeoutError) {
    return new UpstreamError({ kind: 'timeout', message: `no response headers from ${where} in time`, cause: error });
  }
  if (error instanceof undiciErrors.BodyTimeoutError) {
    return new UpstreamError({ kind: 'timeout', message: `stream from ${where} stalled`, cause: error });
  }
  if (error instanceof undiciErrors.ConnectTimeoutError) {
    return new UpstreamError({ kind: 'timeout', message: `connect to ${where} timed out`, cause: error });
  }
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return new UpstreamError({ kind: 'timeout', message: `call to ${where} exceeded the total timeout`, cause: error });
  }
  const code = (error as { code?: string } | null)?.code ?? '';
  const message = error instanceof Error ? error.message : String(error);
  return new UpstreamError({ kind: phase === 'before the response' ? 'connect' : 'protocol', message: `${where}: ${code || message}`, cause: error });
}

/** The origin only: never log paths or query strings (they can carry keys, as Gemini's `?key=` does). */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'upstream';
  }
}
