import type { ServerResponse } from 'node:http';
import type { StepResult } from '../engine/types.js';

/**
 * The replica's KV-cache event stream, vLLM's KV events (vllm/distributed/kv_events.py: a `KVEventBatch`
 * of `BlockStored` / `BlockRemoved` / `AllBlocksCleared`) carried over HTTP instead of ZMQ+msgpack:
 * `GET /kv-events` is a server-sent-event stream, one message per engine step that changed the cache:
 *
 *   id: 42
 *   event: kv
 *   data: {"seq":42,"ts":1764000000.123,"events":[{"type":"BlockStored","block_hashes":[…],
 *          "parent_block_hash":null,"token_ids":[…],"block_size":16,"lora_id":null,"medium":"GPU"}, …],
 *          "data_parallel_rank":null}
 *
 * `seq` counts batches from 1 without gaps, so a subscriber that sees a jump knows it missed events (and
 * should resynchronise, e.g. drop this replica's entries). A subscriber that reconnects with `Last-Event-ID`
 * (or `?since=N`) first gets the buffered batches after N (the last 4096 are kept).
 */
export type KvEvent =
  | {
      type: 'BlockStored';
      block_hashes: number[];
      parent_block_hash: number | null;
      /** The blocks' token ids, concatenated; empty in the rare case the emulator no longer knows them. */
      token_ids: number[];
      block_size: number;
      lora_id: null;
      medium: 'GPU';
    }
  | { type: 'BlockRemoved'; block_hashes: number[]; medium: 'GPU' }
  | { type: 'AllBlocksCleared' };

export interface KvEventBatch {
  seq: number;
  /** Wall-clock seconds since the epoch, as vLLM's `ts`. */
  ts: number;
  events: KvEvent[];
  data_parallel_rank: null;
}

const BUFFER = 4096;
const HEARTBEAT_MS = 15_000;

export class KvEventHub {
  readonly blockSize: number;
  #seq = 0;
  #buffer: KvEventBatch[] = [];
  #subscribers = new Set<ServerResponse>();
  /** Token ids of blocks of requests in flight, so BlockStored can carry `token_ids` as vLLM's does. */
  #blockTokens = new Map<number, { tokens: number[]; refs: number }>();
  #heartbeat: NodeJS.Timeout | undefined;

  constructor(blockSize: number) {
    this.blockSize = blockSize;
  }

  get seq(): number {
    return this.#seq;
  }

  /** Remembers a request's block tokens while it runs (released by `forget`). */
  remember(hashes: readonly number[], tokens: readonly number[]): void {
    hashes.forEach((hash, i) => {
      const entry = this.#blockTokens.get(hash);
      if (entry !== undefined) entry.refs++;
      else this.#blockTokens.set(hash, { tokens: tokens.slice(i * this.blockSize, (i + 1) * this.blockSize), refs: 1 });
    });
  }

  forget(hashes: readonly number[]): void {
    for (const hash of hashes) {
      const entry = this.#blockTokens.get(hash);
      if (entry === undefined) continue;
      if (--entry.refs <= 0) this.#blockTokens.delete(hash);
    }
  }

  onStep(step: StepResult): void {
    const events: KvEvent[] = [];
    for (const e of step.events) {
      if (e.type === 'kv-stored') {
        const tokens: number[] = [];
        const known = e.hashes.every((h) => {
          const entry = this.#blockTokens.get(h);
          if (entry !== undefined) tokens.push(...entry.tokens);
          return entry !== undefined;
        });
        events.push({
          type: 'BlockStored',
          block_hashes: e.hashes,
          parent_block_hash: e.parentHash,
          token_ids: known ? tokens : [],
          block_size: this.blockSize,
          lora_id: null,
          medium: 'GPU',
        });
      } else if (e.type === 'kv-removed') events.push({ type: 'BlockRemoved', block_hashes: e.hashes, medium: 'GPU' });
      else if (e.type === 'kv-cleared') events.push({ type: 'AllBlocksCleared' });
    }
    if (events.length > 0) this.publish(events);
  }

  publish(events: KvEvent[]): KvEventBatch {
    const batch: KvEventBatch = { seq: ++this.#seq, ts: Date.now() / 1000, events, data_parallel_rank: null };
    this.#buffer.push(batch);
    if (this.#buffer.length > BUFFER) this.#buffer.shift();
    const frame = encode(batch);
    for (const res of this.#subscribers) res.write(frame);
    return batch;
  }

  /** Attaches an SSE subscriber; replays buffered batches after `since` first. */
  subscribe(res: ServerResponse, since: number | undefined): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write(`: switchyard kv-events seq=${this.#seq} block_size=${this.blockSize}\n\n`);
    if (since !== undefined) for (const batch of this.#buffer) if (batch.seq > since) res.write(encode(batch));
    this.#subscribers.add(res);
    res.on('close', () => {
      this.#subscribers.delete(res);
      if (this.#subscribers.size === 0 && this.#heartbeat !== undefined) {
        clearInterval(this.#heartbeat);
        this.#heartbeat = undefined;
      }
    });
    if (this.#heartbeat === undefined) {
      // A comment line now and then keeps idle proxies from closing the stream.
      this.#heartbeat = setInterval(() => {
        for (const r of this.#subscribers) r.write(': heartbeat\n\n');
      }, HEARTBEAT_MS);
      this.#heartbeat.unref();
    }
  }

  close(): void {
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
    for (const res of this.#subscribers) res.end();
    this.#subscribers.clear();
  }
}

function encode(batch: KvEventBatch): string {
  return `id: ${batch.seq}\nevent: kv\ndata: ${JSON.stringify(batch)}\n\n`;
}
