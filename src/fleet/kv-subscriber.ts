import type { HttpTransport } from '../spec/transport.js';
import type { PrecisePrefixIndex } from '../scheduler/prefix/precise-index.js';
import { SseParser, type SseMessage } from '../util/sse.js';
import type { KvEventsEndpoint } from './live-endpoints.js';
import { backoffMs, errorText, pause, type FleetLogger } from './monitor-support.js';
import type { Replica } from './replica.js';

export interface KvStatus {
  connected: boolean;
  /** Sequence number of the last batch applied. */
  lastSeq?: number;
  /** `switchyard`: an emulator, whose block hashes are the gateway's own keys; `vllm`: keys are recomputed from token ids. */
  format?: 'switchyard' | 'vllm';
  batches: number;
  events: number;
  /** Sequence jumps (missed batches): each one dropped the replica's entries to resynchronise. */
  gaps: number;
  /** The publisher's sequence went back (it restarted): its entries were dropped. */
  restarts: number;
  connects: number;
  errors: number;
  lastError?: string;
  /** The endpoint answered 404/405/501, or something other than an event stream: no KV events there. */
  unsupported: boolean;
}

export interface KvSubscriberOptions {
  /** Reconnect backoff: first wait and cap, ms (jittered, doubling). */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** How long to wait before asking an endpoint that said "no such thing" again. */
  unsupportedRetryMs?: number;
}

/**
 * Subscribes to one replica's KV-cache events and keeps the fleet's precise prefix index equal to what
 * the engine holds (reference/scheduling.md §1.5). The transport is the emulator's: vLLM's
 * `KVEventBatch{seq, ts, events}` as server-sent events (docs/emulator.md). The rules:
 *
 * - A fresh subscription knows nothing of the engine's past: the replica's entries are dropped and the
 *   index is rebuilt from the events that follow.
 * - Batches are numbered without gaps. A jump means missed events, so the replica's entries are dropped
 *   (resynchronise) and rebuilt from what follows; an entry we failed to remove would otherwise attract
 *   requests to a cache that is gone.
 * - A sequence that goes back (the stream's opening `seq=N` below what we applied, or a batch numbered at
 *   or below it) means the engine restarted with an empty cache: dropped too.
 * - A dropped stream reconnects with exponential backoff and `Last-Event-ID`, so the publisher replays
 *   what we missed and nothing is dropped; while disconnected the replica is out of sync (`kvSynced`),
 *   which makes the fleet hand policies their approximate index instead.
 */
export class KvEventSubscriber {
  readonly status: KvStatus = { connected: false, batches: 0, events: 0, gaps: 0, restarts: 0, connects: 0, errors: 0, unsupported: false };
  readonly #abort = new AbortController();
  readonly #options: Required<KvSubscriberOptions>;
  #loop: Promise<void> | undefined;

  constructor(
    readonly replica: Replica,
    readonly endpoint: KvEventsEndpoint,
    private readonly index: PrecisePrefixIndex,
    private readonly transport: HttpTransport,
    private readonly logger: FleetLogger,
    options: KvSubscriberOptions = {},
  ) {
    this.#options = { backoffBaseMs: 100, backoffCapMs: 5_000, unsupportedRetryMs: 60_000, ...options };
  }

  get #id(): string {
    return this.replica.spec.id;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  async close(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
    this.replica.kvSynced = false;
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    let attempt = 0;
    while (!signal.aborted) {
      try {
        const headers: Record<string, string> = { accept: 'text/event-stream' };
        if (this.status.lastSeq !== undefined) headers['last-event-id'] = String(this.status.lastSeq);
        const response = await this.transport({ method: 'GET', url: this.endpoint.url, headers, signal });
        const type = response.headers['content-type'];
        const eventStream = typeof type === 'string' && type.startsWith('text/event-stream');
        if (response.status === 404 || response.status === 405 || response.status === 501 || (response.status === 200 && !eventStream)) {
          await response.text();
          if (!this.status.unsupported) {
            this.status.unsupported = true;
            this.logger.info('replica publishes no KV events; its prefix matches come from routing history', { replica: this.#id, url: this.endpoint.url, status: response.status });
          }
          await pause(this.#options.unsupportedRetryMs, signal);
          continue;
        }
        if (response.status !== 200) {
          await response.text();
          throw new Error(`HTTP ${response.status}`);
        }
        this.status.unsupported = false;
        this.status.connected = true;
        this.status.connects++;
        if (this.status.lastSeq === undefined) this.#drop();
        this.replica.kvSynced = true;
        if (attempt > 0) this.logger.info('replica KV event stream reconnected', { replica: this.#id, lastSeq: this.status.lastSeq ?? null });
        attempt = 0;
        await this.#read(response.body);
        throw new Error('the stream ended');
      } catch (error) {
        this.status.connected = false;
        this.replica.kvSynced = false;
        if (signal.aborted) break;
        this.status.errors++;
        this.status.lastError = errorText(error);
        if (attempt === 0) this.logger.warn('replica KV event stream lost; reconnecting', { replica: this.#id, url: this.endpoint.url, error: this.status.lastError });
        await pause(backoffMs(attempt++, this.#options.backoffBaseMs, this.#options.backoffCapMs), signal);
      }
    }
  }

  /** Reads SSE lines; comments are looked at too (the emulator announces `seq=N` in its opening comment). */
  async #read(body: AsyncIterable<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    const parser = new SseParser();
    let buffer = '';
    for await (const chunk of body) {
      buffer += decoder.decode(chunk, { stream: true });
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        let line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (line.endsWith('\r')) line = line.slice(0, -1);
        if (line.startsWith(':')) this.#comment(line);
        else for (const message of parser.push(`${line}\n`)) this.#message(message);
      }
    }
  }

  #comment(line: string): void {
    const match = /^:\s*switchyard kv-events seq=(\d+)/.exec(line);
    if (match === null) return;
    this.status.format = 'switchyard';
    const seq = Number(match[1]);
    const last = this.status.lastSeq;
    if (last === undefined) this.status.lastSeq = seq;
    else if (seq < last) this.#restarted(seq);
  }

  #message(message: SseMessage): void {
    if (message.event !== undefined && message.event !== 'kv') return;
    let seq: number;
    let events: unknown[];
    try {
      const batch = JSON.parse(message.data) as { seq?: unknown; events?: unknown };
      if (typeof batch.seq !== 'number' || !Number.isSafeInteger(batch.seq) || !Array.isArray(batch.events)) throw new Error('a batch needs an integer seq and an events list');
      seq = batch.seq;
      events = batch.events;
    } catch (error) {
      this.#lostTrack(`unreadable KV event batch: ${errorText(error)}`);
      return;
    }
    const last = this.status.lastSeq;
    if (last !== undefined) {
      if (seq <= last) {
        // The emulator never repeats a batch, and announces restarts in its opening comment.
        if (this.status.format === 'switchyard') return;
        this.#restarted(seq - 1);
      } else if (seq > last + 1) {
        this.status.gaps++;
        this.logger.warn('KV event gap: dropping the replica\'s prefix entries to resynchronise', { replica: this.#id, expected: last + 1, got: seq });
        this.#drop();
      }
    }
    this.status.lastSeq = seq;
    this.status.batches++;
    this.status.format ??= 'vllm';
    for (const event of events) {
      try {
        this.#apply(event);
        this.status.events++;
      } catch (error) {
        this.#lostTrack(`bad KV event: ${errorText(error)}`);
        return;
      }
    }
  }

  #apply(raw: unknown): void {
    if (this.status.format !== 'switchyard') {
      this.index.applyVllmEvent(this.#id, raw);
      return;
    }
    // The emulator's block hashes are chainBlockHashes values: the gateway's own keys, used as they are.
    const event = raw as { type?: unknown; block_hashes?: unknown; parent_block_hash?: unknown };
    if (event.type === 'AllBlocksCleared') {
      this.index.applyEngineEvent(this.#id, { type: 'kv-cleared', atMs: 0 });
      return;
    }
    const hashes = event.block_hashes;
    if (!Array.isArray(hashes) || !hashes.every((h) => typeof h === 'number')) throw new Error('block_hashes must be a list of numbers');
    if (event.type === 'BlockStored') {
      const parent = typeof event.parent_block_hash === 'number' ? event.parent_block_hash : null;
      this.index.applyEngineEvent(this.#id, { type: 'kv-stored', atMs: 0, hashes: hashes as number[], parentHash: parent });
    } else if (event.type === 'BlockRemoved') this.index.applyEngineEvent(this.#id, { type: 'kv-removed', atMs: 0, hashes: hashes as number[] });
    else throw new Error(`unknown event type ${JSON.stringify(event.type)}`);
  }

  #restarted(seq: number): void {
    this.status.restarts++;
    this.logger.warn('KV event sequence went back: the engine restarted; dropping its prefix entries', { replica: this.#id, lastSeq: this.status.lastSeq ?? null, now: seq });
    this.#drop();
    this.status.lastSeq = seq;
  }

  /** A batch we cannot apply leaves the index unlike the engine: drop and rebuild from what follows. */
  #lostTrack(why: string): void {
    this.status.errors++;
    this.status.lastError = why;
    this.logger.warn('KV event stream unreadable; dropping the replica\'s prefix entries', { replica: this.#id, error: why });
    this.#drop();
  }

  #drop(): void {
    this.index.clear(this.#id);
  }
}
