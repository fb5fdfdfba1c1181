import type { Dispatcher } from 'undici';
import { UpstreamError } from '../errors/upstream-error.js';
import type { HttpRequest, HttpResponse } from '../spec/transport.js';
import { classifyFailure, originOf } from './classify.js';
import type { Deadlined } from './deadlines.js';

type Controller = Dispatcher.DispatchController;
type Headers = Record<string, string | string[] | undefined>;

/** Unread body bytes past which undici is asked to stop reading the socket until the consumer catches up. */
const HIGH_WATER_BYTES = 256 * 1024;
const LOW_WATER_BYTES = 64 * 1024;
const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * One upstream call, driven by undici's dispatch API: the dispatch handler, the response, and the body's
 * async iterator in one object.
 *
 * Why not `undici.request()`: it builds a Readable body stream, an AbortSignal bridge and a handler per
 * call, and every chunk then crosses the stream machinery; on the gateway's request path that was a
 * large share of its CPU per request (docs/benchmarks.md, Gateway). Here a chunk goes from undici's
 * parser straight to the consumer waiting in `next()`, or into a short queue; when more than
 * HIGH_WATER_BYTES wait unread, undici is paused (it stops reading the socket), so a slow client still
 * pushes back on the upstream.
 *
 * Ends exactly once: `onResponseEnd`, `onResponseError`, or an abort (caller signal, total deadline, or
 * the consumer leaving early through `return()`, which closes the connection as undici must when a body
 * is abandoned half-read).
 */
export class UpstreamCall implements Dispatcher.DispatchHandler, HttpResponse, Deadlined, AsyncIterator<Uint8Array> {
  status = 0;
  headers: Headers = {};
  deadline = 0;
  deadlinePrev: Deadlined | undefined = undefined;
  deadlineNext: Deadlined | undefined = undefined;
  readonly response: Promise<HttpResponse>;

  #controller: Controller | undefined;
  #resolveResponse!: (response: HttpResponse) => void;
  #rejectResponse!: (error: unknown) => void;
  #responded = false;
  /** Set once the call ended (body complete, failed or aborted); nothing after that changes the outcome. */
  #finished = false;
  #error: unknown;
  #abortReason: unknown;
  #abandoned = false;
  readonly #chunks: Buffer[] = [];
  #queuedBytes = 0;
  #paused = false;
  /** A consumer waiting in next(), or in text(). */
  #waiting: { resolve: (value: IteratorResult<Uint8Array>) => void; reject: (error: unknown) => void } | undefined;
  #textWaiting: { resolve: (text: string) => void; reject: (error: unknown) => void } | undefined;
  #collecting = false;

  constructor(
    readonly input: HttpRequest,
    private readonly onEnd: (call: UpstreamCall) => void,
  ) {
    this.response = new Promise<HttpResponse>((resolve, reject) => {
      this.#resolveResponse = resolve;
      this.#rejectResponse = reject;
    });
  }

  // ---- the caller's side -------------------------------------------------------------------------

  /** Aborts the call (caller gone, deadline passed); undici closes the connection. */
  abort(reason: unknown): void {
    if (this.#finished) return;
    if (this.#controller !== undefined) this.#controller.abort(reason as Error);
    else {
      // Still queued for a connection: fail now, and abort as soon as undici hands us the request.
      this.#abortReason = reason;
      this.#fail(reason);
    }
  }

  /** Listener for the caller's cancellation (an object listener: no closure per call). */
  handleEvent(): void {
    this.abort(this.input.signal?.reason);
  }

  get body(): AsyncIterable<Uint8Array> {
    return this;
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return this;
  }

  next(): Promise<IteratorResult<Uint8Array>> {
    const chunk = this.#chunks.shift();
    if (chunk !== undefined) {
      this.#queuedBytes -= chunk.length;
      if (this.#paused && this.#queuedBytes <= LOW_WATER_BYTES) {
        this.#paused = false;
        this.#controller?.resume();
      }
      return Promise.resolve({ value: chunk, done: false });
    }
    if (this.#error !== undefined) return Promise.reject(this.#error);
    if (this.#finished) return Promise.resolve(DONE);
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
    });
  }

  /** The consumer stopped early: abandon the rest of the body. */
  return(): Promise<IteratorResult<Uint8Array>> {
    if (!this.#finished) {
      this.#abandoned = true;
      this.abort(new Error('response body abandoned by the consumer'));
    }
    this.#chunks.length = 0;
    return Promise.resolve(DONE);
  }

  text(): Promise<string> {
    this.#collecting = true;
    if (this.#paused) {
      this.#paused = false;
      this.#controller?.resume();
    }
    if (this.#error !== undefined) return Promise.reject(this.#error);
    if (this.#finished) return Promise.resolve(this.#joined());
    return new Promise((resolve, reject) => {
      this.#textWaiting = { resolve, reject };
    });
  }

  async json(): Promise<unknown> {
    const text = await this.text();
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new UpstreamError({
        kind: 'protocol',
        message: `${originOf(this.input.url)} answered with a body that is not JSON`,
        status: this.status,
        body: text.slice(0, 2000),
        cause: error,
      });
    }
  }

  // ---- undici's side (Dispatcher.DispatchHandler) ----------------------------------------------------

  onRequestStart(controller: Controller): void {
    this.#controller = controller;
    if (this.#abortReason !== undefined) controller.abort(this.#abortReason as Error);
  }

  onResponseStart(_controller: Controller, statusCode: number, headers: Headers): void {
    if (statusCode < 200) return; // 1xx: informational, the real answer follows
    this.status = statusCode;
    this.headers = headers;
    this.#responded = true;
    this.#resolveResponse(this);
  }

  onResponseData(controller: Controller, chunk: Buffer): void {
    const waiting = this.#waiting;
    if (waiting !== undefined) {
      this.#waiting = undefined;
      waiting.resolve({ value: chunk, done: false });
      return;
    }
    this.#chunks.push(chunk);
    this.#queuedBytes += chunk.length;
    if (!this.#collecting && !this.#paused && this.#queuedBytes > HIGH_WATER_BYTES) {
      this.#paused = true;
      controller.pause();
    }
  }

  onResponseEnd(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.onEnd(this);
    this.#wake(undefined);
  }

  onResponseError(_controller: Controller, error: Error): void {
    this.#fail(error);
  }

  // ---- internals -------------------------------------------------------------------------------------

  #fail(cause: unknown): void {
    if (this.#finished) return;
    this.#finished = true;
    this.onEnd(this);
    if (this.#abandoned) return;
    const error = classifyFailure(cause, this.input.url, this.input.signal, this.#responded ? 'while reading the body' : 'before the response');
    if (!this.#responded) {
      this.#rejectResponse(error);
      return;
    }
    this.#error = error;
    this.#wake(error);
  }

  /** The body ended (`error` undefined) or failed: settles a consumer waiting in next() or text(). */
  #wake(error: unknown): void {
    const waiting = this.#waiting;
    const textWaiting = this.#textWaiting;
    this.#waiting = undefined;
    this.#textWaiting = undefined;
    if (error === undefined) {
      waiting?.resolve(DONE);
      textWaiting?.resolve(this.#joined());
    } else {
      waiting?.reject(error);
      textWaiting?.reject(error);
    }
  }

  #joined(): string {
    const chunks = this.#chunks;
    const text = chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks, this.#queuedBytes).toString('utf8');
    chunks.length = 0;
    this.#queuedBytes = 0;
    return text;
  }
}
