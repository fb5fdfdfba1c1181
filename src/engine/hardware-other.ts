/**
 * AWS Neuron accelerators and a server CPU. AWS publishes no TDP for Trainium or Inferentia chips; those
 * estimates scale the H100 SXM's 700 W by the ratio of dense BF16 peaks (same process class, both HBM), which
 * is stated in each source so nobody mistakes it for a datasheet number.
 */
import type { HardwareProfile } from './types.js';

const NEURON_TDP_RULE =
  'NOT PUBLISHED by AWS (reference/bedrock.md §5, reference/scheduling.md §10). ESTIMATE: H100 SXM 700 W x (this chip BF16 peak / 989.5), rounded up';
const NEURON_IDLE_RULE = 'ESTIMATE: 20% of the estimated TDP (HBM refresh, host interface and SRAM leakage); no published figure';

export const TRAINIUM2: HardwareProfile = {
  id: 'trainium2',
  name: 'AWS Trainium2 (per chip)',
  kind: 'accelerator',
  peakTflops: 667,
  memoryGb: 103.1,
  memoryBandwidthGBs: 2900,
  interconnectGBs: 512,
  tdpWatts: 500,
  idleWatts: 100,
  usdPerHour: 2.235,
  mfuPrefill: 0.45,
  mfuDecode: 0.25,
  mbu: 0.7,
  stepOverheadMs: 1.5,
  maxTensorParallel: 16,
  allReduceLatencyUs: 15,
  sources: {
    peakTflops: 'AWS Neuron docs, Trainium2 architecture: 667 BF16/FP16/TF32 dense TFLOPS per chip (1,299 FP8)',
    memoryGb: 'AWS Neuron docs, Trainium2 architecture / NKI guide: 96 GiB HBM per chip = 103.1 GB',
    memoryBandwidthGBs: 'AWS Neuron docs, Trainium2 NKI guide: 2.9 TB/s per chip (trn2.48xlarge table 46.4 TB/s / 16 chips)',
    interconnectGBs:
      'AWS Neuron docs, Trn2 architecture table: intra-instance NeuronLink-v3 1,024 GB/s per chip; taken as bidirectional -> 512 GB/s per direction (ASSUMPTION)',
    tdpWatts: `${NEURON_TDP_RULE}: 700 x 667/989.5 = 472 -> 500 W`,
    idleWatts: NEURON_IDLE_RULE,
    usdPerHour:
      'trn2.48xlarge on-demand us-east-1 $35.7608/h (Feb 2026, as quoted in a public benchmark script; not the AWS page itself) / 16 chips',
    mfuPrefill: 'ESTIMATE: Neuron compiler stack below CUDA maturity; set to BLIS H100 mfuPrefill 0.45. No public vLLM-Neuron prefill rate found',
    mfuDecode: 'ESTIMATE, between BLIS A100 (0.18) and H100 (0.30) decode MFU',
    mbu: 'ESTIMATE: 0.7; no published batch-1 decode measurement for Trainium2 was found (reference/scheduling.md §10)',
    stepOverheadMs: 'ESTIMATE: larger than CUDA-graph GPUs (Neuron runtime launches compiled graphs per step)',
    maxTensorParallel: 'AWS Neuron docs, Trn2 architecture: 16 Trainium2 chips per trn2.48xlarge in a 4x4 torus',
    allReduceLatencyUs: 'ESTIMATE: NeuronLink-v3 collective on CC-cores; ~2x NVLink latency',
  },
};

export const INFERENTIA2: HardwareProfile = {
  id: 'inferentia2',
  name: 'AWS Inferentia2 (per chip)',
  kind: 'accelerator',
  peakTflops: 190,
  memoryGb: 34.36,
  memoryBandwidthGBs: 880.5,
  interconnectGBs: 103,
  tdpWatts: 140,
  idleWatts: 28,
  usdPerHour: 0.76,
  mfuPrefill: 0.4,
  mfuDecode: 0.2,
  mbu: 0.65,
  stepOverheadMs: 2.0,
  maxTensorParallel: 12,
  allReduceLatencyUs: 20,
  sources: {
    peakTflops: 'AWS Neuron docs, Inferentia2 architecture: 190 FP16/BF16/cFP8/TF32 TFLOPS per chip',
    memoryGb: 'AWS Neuron docs, Inferentia2 architecture: 32 GiB HBM per chip = 34.36 GB',
    memoryBandwidthGBs: 'AWS Neuron docs, Inferentia2 architecture: 820 GiB/s per chip = 880.5 GB/s',
    interconnectGBs:
      'AWS Neuron docs, Inf2 architecture: NeuronLink-v2 192 GiB/s per chip (206 GB/s), taken as bidirectional -> 103 GB/s per direction (ASSUMPTION)',
    tdpWatts: `${NEURON_TDP_RULE}: 700 x 190/989.5 = 134 -> 140 W`,
    idleWatts: NEURON_IDLE_RULE,
    usdPerHour:
      'AWS inf2.xlarge on-demand $0.7582/h for one chip; HF Inference Endpoints inf2 x1 $0.75 (reference/scheduling.md §7.5). inf2.48xlarge is ~$1.08 per chip',
    mfuPrefill: 'ESTIMATE: below Trainium2 (smaller SRAM, older NeuronCore-v2); no public vLLM-Neuron prefill rate found',
    mfuDecode: 'ESTIMATE, as for trainium2 less 0.05',
    mbu: 'ESTIMATE: optimum-neuron Llama-3.1-8B benchmark publishes charts only (reference/scheduling.md §7.5); 0.65 assumed',
    stepOverheadMs: 'ESTIMATE: Neuron runtime graph launch per step, higher than CUDA graphs',
    maxTensorParallel: 'AWS Neuron docs: inf2.48xlarge has 12 Inferentia2 chips (24 NeuronCores)',
    allReduceLatencyUs: 'ESTIMATE: NeuronLink-v2 ring, slower than v3',
  },
};

export const XEON_SPR_AMX: HardwareProfile = {
  id: 'xeon-spr-amx',
  name: 'Intel Xeon Platinum 8480+ (Sapphire Rapids, AMX), one socket',
  kind: 'cpu',
  peakTflops: 114.7,
  memoryGb: 412.3,
  memoryBandwidthGBs: 307.2,
  interconnectGBs: 0,
  tdpWatts: 350,
  idleWatts: 100,
  usdPerHour: 4.84,
  mfuPrefill: 0.115,
  mfuDecode: 0.05,
  mbu: 0.6,
  stepOverheadMs: 5,
  maxTensorParallel: 1,
  sources: {
    peakTflops:
      'DERIVED: 56 cores x 2.0 GHz base x 1,024 BF16 FLOP/cycle/core (AMX TMUL: Intel quotes 2,048 INT8 / 1,024 BF16 ops per cycle per core) = 114.7 TFLOPS',
    memoryGb: 'ASSUMPTION: one socket of an m7i.48xlarge (768 GiB over 2 sockets) = 384 GiB = 412.3 GB',
    memoryBandwidthGBs: 'Intel ARK Xeon Platinum 8480+: 8 channels DDR5-4800 -> 8 x 38.4 GB/s = 307.2 GB/s (ServeTheHome: 8 DDR5 channels on 4 tiles)',
    interconnectGBs: 'TP across sockets not modelled (maxTensorParallel 1)',
    tdpWatts: 'Intel ARK Xeon Platinum 8480+: TDP 350 W',
    idleWatts: 'ESTIMATE: package idle ~100 W for a 56-core SPR with DDR5 populated; no datasheet figure',
    usdPerHour: 'AWS on-demand m7i.48xlarge (2x SPR) $9.6768/h us-east-1 / 2 sockets (price list, not re-verified here)',
    mfuPrefill: `calibrated: docs/calibration.md: llm-d CPU GCP C3 SPR AMX, Llama-3.2-3B, chunk 2048 -> 1,970 tok/s ≈ 12.6 TFLOP/s`,
    mfuDecode: 'ESTIMATE: half of prefill MFU (small GEMMs on AMX tiles)',
    mbu: 'ESTIMATE: STREAM on SPR reaches ~70-80% of peak; vLLM-CPU decode less',
    stepOverheadMs: 'ESTIMATE: Python scheduling + oneDNN kernel dispatch without CUDA graphs',
    maxTensorParallel: 'one socket per replica in this model',
  },
};
