import type { Sample } from './prometheus-parse.js';

/**
 * What a replica's `/metrics` says about its load, in engine-neutral terms. The names are the ones the
 * Gateway API Inference Extension's model-server protocol reads (reference/scheduling.md §1.7):
 *
 * | signal            | vLLM                                   | SGLang                              |
 * |-------------------|----------------------------------------|-------------------------------------|
 * | running requests  | `vllm:num_requests_running`            | `sglang:num_running_reqs`           |
 * | queued requests   | `vllm:num_requests_waiting`            | `sglang:num_queue_reqs`             |
 * | KV utilisation    | `vllm:kv_cache_usage_perc` (0..1)      | `sglang:token_usage` (0..1)         |
 * | block size, count | `vllm:cache_config_info{block_size,num_gpu_blocks}` | `sglang:cache_config_info{page_size,num_pages}` |
 *
 * vLLM V0's `vllm:gpu_cache_usage_perc` is read when the V1 name is absent, and SGLang's
 * `sglang:max_total_num_tokens` (tokens, so blocks of one) when `cache_config_info` is. A server running several
 * engines (vLLM data parallel: one series per `engine` label) is one replica to the gateway: counts and
 * blocks add up, KV usage is the block-weighted mean.
 */
export interface EngineLoad {
  engine: 'vllm' | 'sglang';
  running: number;
  waiting: number;
  /** 0..1, when reported. */
  kvUsage?: number;
  kvBlocksTotal?: number;
  blockSize?: number;
  /** Prefix-cache counters (tokens), when reported: a hit rate over a scrape interval comes from two reads. */
  prefixQueriedTokens?: number;
  prefixHitTokens?: number;
}

interface Names {
  running: string;
  waiting: string;
  kvUsage: readonly string[];
  cacheInfo: string;
  blockSizeLabel: string;
  blocksLabel: string;
  prefixQueries?: string;
  prefixHits?: string;
  /** A capacity gauge in tokens, read as blocks of one token when `cacheInfo` is absent. */
  capacityTokens?: string;
}

const ENGINES: ReadonlyArray<[EngineLoad['engine'], Names]> = [
  [
    'vllm',
    {
      running: 'vllm:num_requests_running',
      waiting: 'vllm:num_requests_waiting',
      kvUsage: ['vllm:kv_cache_usage_perc', 'vllm:gpu_cache_usage_perc'],
      cacheInfo: 'vllm:cache_config_info',
      blockSizeLabel: 'block_size',
      blocksLabel: 'num_gpu_blocks',
      prefixQueries: 'vllm:prefix_cache_queries_total',
      prefixHits: 'vllm:prefix_cache_hits_total',
    },
  ],
  [
    'sglang',
    {
      running: 'sglang:num_running_reqs',
      waiting: 'sglang:num_queue_reqs',
      kvUsage: ['sglang:token_usage'],
      cacheInfo: 'sglang:cache_config_info',
      blockSizeLabel: 'page_size',
      blocksLabel: 'num_pages',
      // Older SGLang releases export the KV pool size only as a token count.
      capacityTokens: 'sglang:max_total_num_tokens',
    },
  ],
];

/** Every metric name `engineLoad` reads: the scrape parser skips the rest. */
export const LOAD_METRIC_NAMES: ReadonlySet<string> = new Set(
  ENGINES.flatMap(([, n]) => [n.running, n.waiting, ...n.kvUsage, n.cacheInfo, n.prefixQueries, n.prefixHits, n.capacityTokens].filter((x) => x !== undefined)),
);

/** The load in `samples`, or undefined when they hold neither vLLM's nor SGLang's running/waiting gauges. */
export function engineLoad(samples: readonly Sample[]): EngineLoad | undefined {
  for (const [engine, names] of ENGINES) {
    const running = sum(samples, names.running);
    const waiting = sum(samples, names.waiting);
    if (running === undefined || waiting === undefined) continue;
    const load: EngineLoad = { engine, running, waiting };
    const info = cacheInfo(samples, names);
    if (info.blocks !== undefined) load.kvBlocksTotal = info.blocks;
    if (info.blockSize !== undefined) load.blockSize = info.blockSize;
    const capacity = names.capacityTokens === undefined ? undefined : sum(samples, names.capacityTokens);
    if (info.blocks === undefined && capacity !== undefined && capacity > 0) {
      load.kvBlocksTotal = Math.floor(capacity);
      load.blockSize = 1;
    }
    const usage = kvUsage(samples, names, info.blocksByEngine);
    if (usage !== undefined) load.kvUsage = usage;
    const queried = names.prefixQueries === undefined ? undefined : sum(samples, names.prefixQueries);
    const hits = names.prefixHits === undefined ? undefined : sum(samples, names.prefixHits);
    if (queried !== undefined) load.prefixQueriedTokens = queried;
    if (hits !== undefined) load.prefixHitTokens = hits;
    return load;
  }
  return undefined;
}

/** Sum of a gauge over its series, skipping NaN; undefined when absent. */
function sum(samples: readonly Sample[], name: string): number | undefined {
  let total: number | undefined;
  for (const s of samples) if (s.name === name && Number.isFinite(s.value)) total = (total ?? 0) + s.value;
  return total;
}

function cacheInfo(samples: readonly Sample[], names: Names): { blocks?: number; blockSize?: number; blocksByEngine: Map<string, number> } {
  const blocksByEngine = new Map<string, number>();
  let blockSize: number | undefined;
  for (const s of samples) {
    if (s.name !== names.cacheInfo) continue;
    const size = positiveInt(s.labels[names.blockSizeLabel]);
    if (size !== undefined) blockSize ??= size;
    const blocks = positiveInt(s.labels[names.blocksLabel]);
    if (blocks !== undefined) blocksByEngine.set(s.labels['engine'] ?? '', blocks);
  }
  let blocks: number | undefined;
  for (const b of blocksByEngine.values()) blocks = (blocks ?? 0) + b;
  return { ...(blocks === undefined ? {} : { blocks }), ...(blockSize === undefined ? {} : { blockSize }), blocksByEngine };
}

function kvUsage(samples: readonly Sample[], names: Names, blocksByEngine: Map<string, number>): number | undefined {
  for (const name of names.kvUsage) {
    let weighted = 0;
    let weight = 0;
    for (const s of samples) {
      if (s.name !== name || !Number.isFinite(s.value)) continue;
      const w = blocksByEngine.get(s.labels['engine'] ?? '') ?? 1;
      weighted += Math.min(1, Math.max(0, s.value)) * w;
      weight += w;
    }
    if (weight > 0) return weighted / weight;
  }
  return undefined;
}

function positiveInt(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}
