/**
 * vLLM's KV cache events (vllm/distributed/kv_events.py; docs.vllm.ai examples/online_serving/
 * kv_events_subscriber): msgspec structs with `array_like=True, tag=True`, so on the wire (msgpack, ZMQ PUB)
 * an event is an array whose first element is the class name and the rest its fields in order:
 *
 *   ["BlockStored", block_hashes, parent_block_hash, token_ids, block_size, lora_id, medium, …]
 *   ["BlockRemoved", block_hashes, medium]
 *   ["AllBlocksCleared"]
 *
 * and a batch is [ts, events, data_parallel_rank?]. Block hashes are ints in older releases and bytes
 * (ExternalBlockHash) in newer ones. Fields added at the end by later releases are ignored. The object form
 * ({ type: "BlockStored", block_hashes, … }) is accepted too, for JSON relays.
 */
export type VllmBlockHash = number | bigint | Uint8Array;

export type VllmKvEvent =
  | {
      type: 'BlockStored';
      blockHashes: VllmBlockHash[];
      parentBlockHash: VllmBlockHash | null;
      tokenIds: number[];
      blockSize: number;
    }
  | { type: 'BlockRemoved'; blockHashes: VllmBlockHash[] }
  | { type: 'AllBlocksCleared' };

export class VllmEventError extends Error {}

export function decodeVllmEvent(raw: unknown): VllmKvEvent {
  if (Array.isArray(raw)) {
    const [tag, ...fields] = raw as unknown[];
    return fromFields(tag, {
      block_hashes: fields[0],
      parent_block_hash: fields[1],
      token_ids: fields[2],
      block_size: fields[3],
    });
  }
  if (typeof raw === 'object' && raw !== null) {
    const record = raw as Record<string, unknown>;
    return fromFields(record['type'], record);
  }
  throw new VllmEventError(`vLLM KV event: expected an array or object, got ${typeof raw}`);
}

/** The events of a decoded KVEventBatch `[ts, events, dp_rank?]` (or `{ ts, events }`). */
export function vllmBatchEvents(raw: unknown): unknown[] {
  const events = Array.isArray(raw) ? raw[1] : typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>)['events'] : undefined;
  if (!Array.isArray(events)) throw new VllmEventError('vLLM KV event batch: no events list');
  return events;
}

function fromFields(tag: unknown, fields: Record<string, unknown>): VllmKvEvent {
  if (tag === 'AllBlocksCleared') return { type: 'AllBlocksCleared' };
  const blockHashes = hashes(fields['block_hashes'], 'block_hashes');
  if (tag === 'BlockRemoved') return { type: 'BlockRemoved', blockHashes };
  if (tag !== 'BlockStored') throw new VllmEventError(`vLLM KV event: unknown type ${JSON.stringify(tag)}`);
  const parent = fields['parent_block_hash'];
  const tokenIds = fields['token_ids'];
  const blockSize = fields['block_size'];
  if (!Array.isArray(tokenIds) || !tokenIds.every((t) => typeof t === 'number')) {
    throw new VllmEventError('vLLM BlockStored: token_ids must be a list of integers');
  }
  if (typeof blockSize !== 'number' || !Number.isInteger(blockSize) || blockSize <= 0) {
    throw new VllmEventError('vLLM BlockStored: block_size must be a positive integer');
  }
  return {
    type: 'BlockStored',
    blockHashes,
    parentBlockHash: parent === null || parent === undefined ? null : hash(parent, 'parent_block_hash'),
    tokenIds: tokenIds as number[],
    blockSize,
  };
}

function hashes(value: unknown, field: string): VllmBlockHash[] {
  if (!Array.isArray(value)) throw new VllmEventError(`vLLM KV event: ${field} must be a list`);
  return value.map((v) => hash(v, field));
}

function hash(value: unknown, field: string): VllmBlockHash {
  if (typeof value === 'number' || typeof value === 'bigint' || value instanceof Uint8Array) return value;
  throw new VllmEventError(`vLLM KV event: ${field} entries must be integers or bytes`);
}
