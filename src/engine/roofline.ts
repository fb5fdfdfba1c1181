/**
 * The step-time roofline. One engine iteration costs
 *
 *   max(compute, memory) + all-reduce + overhead
 *
 * compute = linear FLOPs (2 x active params per token) + attention FLOPs (4 x layers x heads x head_dim per
 *           query-key pair: QK^T and AV), over peak x MFU x TP (prefill and decode tokens at their own MFU);
 * memory  = weights read once per step (MoE: only the experts some token was routed to) + KV read for every
 *           sequence's context + KV written for the new tokens, over bandwidth x MBU, per device;
 * all-reduce = two per layer (after attention and after the MLP, Megatron-style TP), ring algorithm.
 *
 * The same functions serve the engine (each step), the scheduler (estimates) and the calibration tests.
 * Derived per-spec constants are cached, so an estimate is a handful of multiplications.
 */
import { memoryPlan } from './replica-spec.js';
import type { ReplicaSpec } from './types.js';

/** What one step processes. Build it with `emptyComposition` + `addPrefillChunk` / `setDecode`. */
export interface StepComposition {
  prefillTokens: number;
  /** Sum over prefill tokens of the context each attends to (cached + earlier tokens of its chunk + itself). */
  prefillAttendPairs: number;
  /** Sum over prefill chunks of cached + chunk tokens: KV read by the chunks' attention. */
  prefillContextTokens: number;
  decodeSeqs: number;
  /** Sum over decoding sequences of the tokens already in their KV cache. */
  decodeContextTokens: number;
}

export interface StepTiming {
  computeMs: number;
  memoryMs: number;
  commMs: number;
  overheadMs: number;
  totalMs: number;
  /** Busier of compute and memory as a fraction of the step, 0..1: what drives power. */
  utilisation: number;
}

/**
 * NCCL-style ring all-reduce reaches ~80% of link bandwidth as bus bandwidth on NVLink (nccl-tests busbw on
 * H100 ~360 of 450 GB/s); applied to every interconnect.
 */
const LINK_EFFICIENCY = 0.8;
const DEFAULT_ALL_REDUCE_US = 8;

export interface Derived {
  tp: number;
  linearFlopsPerToken: number;
  attnFlopsPerPair: number;
  /** FLOP per ms across the replica. */
  prefillFlopsPerMs: number;
  decodeFlopsPerMs: number;
  /** Bytes per ms per device. */
  bytesPerMs: number;
  /** Per device: dense weights (MoE: shared part). */
  sharedWeightBytes: number;
  /** Per device: all routed experts together (0 for dense). */
  expertWeightBytes: number;
  /** Probability that a given expert is not picked by one token: 1 - k/E (1 for dense). */
  expertMissProb: number;
  kvBytesPerTokenPerDevice: number;
  /** Per token per all-reduce, ms of link time; and fixed ms per step of all-reduce latency. */
  commMsPerToken: number;
  commFixedMs: number;
  overheadMs: number;
  /** Per-device watts. */
  idleWatts: number;
  dynamicWatts: number;
}

const cache = new WeakMap<ReplicaSpec, Derived>();

export function derived(spec: ReplicaSpec): Derived {
  let d = cache.get(spec);
  if (!d) {
    d = derive(spec);
    cache.set(spec, d);
  }
  return d;
}

function derive(spec: ReplicaSpec): Derived {
  const { model: m, hardware: h, tensorParallel: tp } = spec;
  const peakFlopsPerMs = h.peakTflops * 1e12 * 1e-3 * tp;
  const totalWeightBytes = m.parametersB * 1e9 * m.dtypeBytes;
  let sharedWeightBytes = totalWeightBytes / tp;
  let expertWeightBytes = 0;
  let expertMissProb = 1;
  if (m.experts && m.expertsPerToken && m.experts > m.expertsPerToken) {
    // total = shared + E·e and active = shared + k·e  =>  e = (total - active) / (E - k).
    const perExpert = ((m.parametersB - m.activeParametersB) * 1e9) / (m.experts - m.expertsPerToken);
    const shared = m.activeParametersB * 1e9 - m.expertsPerToken * perExpert;
    sharedWeightBytes = (shared * m.dtypeBytes) / tp;
    expertWeightBytes = (m.experts * perExpert * m.dtypeBytes) / tp;
    expertMissProb = 1 - m.expertsPerToken / m.experts;
  }
  const plan = memoryPlan(m, h, tp, spec.engine);
  let commMsPerToken = 0;
  let commFixedMs = 0;
  if (tp > 1) {
    const allReduces = 2 * m.layers;
    const ringFactor = (2 * (tp - 1)) / tp;
    const bytesPerMs = h.interconnectGBs * 1e9 * 1e-3 * LINK_EFFICIENCY;
    commMsPerToken = bytesPerMs > 0 ? (allReduces * m.hiddenSize * m.dtypeBytes * ringFactor) / bytesPerMs : 0;
    commFixedMs = (allReduces * (h.allReduceLatencyUs ?? DEFAULT_ALL_REDUCE_US)) / 1000;
  }
  return {
    tp,
    linearFlopsPerToken: 2 * m.activeParametersB * 1e9,
    attnFlopsPerPair: 4 * m.layers * m.attentionHeads * m.headDim,
    prefillFlopsPerMs: peakFlopsPerMs * h.mfuPrefill,
    decodeFlopsPerMs: peakFlopsPerMs * h.mfuDecode,
    bytesPerMs: h.memoryBandwidthGBs * 1e9 * 1e-3 * h.mbu,
    sharedWeightBytes,
    expertWeightBytes,
    expertMissProb,
    kvBytesPerTokenPerDevice: plan.kvBytesPerTokenPerDevice,
    commMsPerToken,
    commFixedMs,
    overheadMs: h.stepOverheadMs,
    idleWatts: h.idleWatts,
    dynamicWatts: h.tdpWatts - h.idleWatts,
  };
}

export function emptyComposition(): StepComposition {
  return { prefillTokens: 0, prefillAttendPairs: 0, prefillContextTokens: 0, decodeSeqs: 0, decodeContextTokens: 0 };
}

/** Adds a prefill chunk of `chunk` tokens whose first `cached` tokens of context are already in KV. */
export function addPrefillChunk(comp: StepComposition, cached: number, chunk: number): StepComposition {
  comp.prefillTokens += chunk;
  // Causal attention: token i of the chunk attends to cached + i keys (i = 1..chunk).
  comp.prefillAttendPairs += chunk * cached + (chunk * (chunk + 1)) / 2;
  comp.prefillContextTokens += cached + chunk;
  return comp;
}

/**
 * Fraction of routed-expert weights a step reads. With T tokens routed uniformly to k of E experts, an expert
 * is untouched with probability (1 - k/E)^T. Routing is not uniform in practice (hot experts), which makes
 * this an upper bound on bytes; at decode batch 64 for Qwen3-30B-A3B it is already ~98%, so the
 * approximation only matters for small batches, where it is the textbook estimate.
 */
function weightBytesTouched(d: Derived, tokens: number): number {
  if (d.expertWeightBytes === 0) return d.sharedWeightBytes;
  return d.sharedWeightBytes + d.expertWeightBytes * (1 - Math.pow(d.expertMissProb, tokens));
}

/** Fills `out` (allocation-free for the engine's hot loop) with the timing of one step. */
export function stepTiming(spec: ReplicaSpec, comp: StepComposition, out: StepTiming = newTiming()): StepTiming {
  return timeStep(derived(spec), comp, out);
}

/** `stepTiming` on pre-derived constants (the engine holds them, skipping the per-spec cache lookup). */
export function timeStep(d: Derived, comp: StepComposition, out: StepTiming): StepTiming {
  const tokens = comp.prefillTokens + comp.decodeSeqs;
  if (tokens === 0) {
    out.computeMs = out.memoryMs = out.commMs = out.overheadMs = out.totalMs = out.utilisation = 0;
    return out;
  }
  const decodePairs = comp.decodeContextTokens + comp.decodeSeqs;
  const computeMs =
    (d.linearFlopsPerToken * comp.prefillTokens + d.attnFlopsPerPair * comp.prefillAttendPairs) / d.prefillFlopsPerMs +
    (d.linearFlopsPerToken * comp.decodeSeqs + d.attnFlopsPerPair * decodePairs) / d.decodeFlopsPerMs;
  const kvTokensMoved = comp.prefillContextTokens + comp.decodeContextTokens + tokens;
  const memoryMs = (weightBytesTouched(d, tokens) + d.kvBytesPerTokenPerDevice * kvTokensMoved) / d.bytesPerMs;
  const commMs = d.commFixedMs + d.commMsPerToken * tokens;
  const busy = computeMs > memoryMs ? computeMs : memoryMs;
  const totalMs = busy + commMs + d.overheadMs;
  out.computeMs = computeMs;
  out.memoryMs = memoryMs;
  out.commMs = commMs;
  out.overheadMs = d.overheadMs;
  out.totalMs = totalMs;
  out.utilisation = busy / totalMs;
  return out;
}

export function newTiming(): StepTiming {
  return { computeMs: 0, memoryMs: 0, commMs: 0, overheadMs: 0, totalMs: 0, utilisation: 0 };
}

export function stepTimeMs(spec: ReplicaSpec, comp: StepComposition): number {
  return timeStep(derived(spec), comp, SCRATCH_TIMING).totalMs;
}

const SCRATCH_COMP = emptyComposition();
const SCRATCH_TIMING = newTiming();

/**
 * Time to prefill `uncachedTokens` after `cachedTokens` of prefix-cache hits on an otherwise idle replica,
 * in chunks of max_num_batched_tokens (chunked prefill). This is the TTFT of a lone request.
 */
export function prefillTimeMs(spec: ReplicaSpec, uncachedTokens: number, cachedTokens = 0): number {
  // Allocation-free (the scheduler calls this per request per candidate replica): module scratch objects.
  const d = derived(spec);
  const chunkMax = spec.engine.enableChunkedPrefill ? spec.engine.maxNumBatchedTokens : Math.max(uncachedTokens, 1);
  const comp = SCRATCH_COMP;
  comp.decodeSeqs = comp.decodeContextTokens = 0;
  let done = cachedTokens;
  let left = uncachedTokens;
  let total = 0;
  while (left > 0) {
    const chunk = left < chunkMax ? left : chunkMax;
    comp.prefillTokens = comp.prefillAttendPairs = comp.prefillContextTokens = 0;
    addPrefillChunk(comp, done, chunk);
    total += timeStep(d, comp, SCRATCH_TIMING).totalMs;
    done += chunk;
    left -= chunk;
  }
  return total;
}

/** One decode iteration of `batchSize` sequences holding `totalContextTokens` tokens of KV between them. */
export function decodeStepTimeMs(spec: ReplicaSpec, batchSize: number, totalContextTokens: number): number {
  const comp = SCRATCH_COMP;
  comp.prefillTokens = comp.prefillAttendPairs = comp.prefillContextTokens = 0;
  comp.decodeSeqs = batchSize;
  comp.decodeContextTokens = totalContextTokens;
  return timeStep(derived(spec), comp, SCRATCH_TIMING).totalMs;
}

/**
 * Prefill rate of a full chunk on an idle replica, tokens/s, defined as llm-d's calibration does:
 * chunk size / time of that chunk (configuration-matrix.md `peakPrefillThroughput = CHUNK_SIZE / median(TTFT)`).
 */
export function peakPrefillTokensPerS(spec: ReplicaSpec): number {
  const chunk = spec.engine.maxNumBatchedTokens;
  return (chunk / prefillTimeMs(spec, chunk, 0)) * 1000;
}
