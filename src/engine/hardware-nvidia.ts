/**
 * NVIDIA GPU profiles. Datasheet numbers are per GPU; BF16 peaks are the dense figure (NVIDIA quotes the
 * sparse one, twice as large, first). Efficiencies (mfu*, mbu) and step overheads are calibrated against the
 * measurements in docs/calibration.md; the calibration tests keep them there.
 */
import type { HardwareProfile } from './types.js';

const HF_PRICING =
  'Hugging Face Inference Endpoints pricing (hf-endpoints-documentation docs/source/support/pricing.md, AWS column), ' +
  'per GPU-hour, via reference/scheduling.md §7.5';
const IDLE_NOTE =
  'ESTIMATE, no datasheet figure: idle draw of a loaded-but-idle data-centre GPU is typically ~10% of TDP ' +
  '(nvidia-smi readings reported by operators); used only for energy between steps';
const NVSMI =
  'Capacity vLLM actually sizes against (torch.cuda.mem_get_info total), in 10^9 bytes, not the marketing figure:';
const CALIBRATED = 'calibrated: docs/calibration.md (kept within tolerance by src/engine/calibration.test.ts)';

export const H100_SXM: HardwareProfile = {
  id: 'h100-sxm',
  name: 'NVIDIA H100 SXM5 80GB',
  kind: 'gpu',
  peakTflops: 989.5,
  memoryGb: 85.5,
  memoryBandwidthGBs: 3350,
  interconnectGBs: 450,
  tdpWatts: 700,
  idleWatts: 70,
  usdPerHour: 4.5,
  mfuPrefill: 0.63,
  mfuDecode: 0.3,
  mbu: 0.8,
  stepOverheadMs: 1.0,
  maxTensorParallel: 8,
  allReduceLatencyUs: 8,
  sources: {
    peakTflops:
      'NVIDIA H100 datasheet: BF16 Tensor Core 1,979 TFLOPS with sparsity -> 989.5 dense; same value in BLIS hardware_config.json (reference/scheduling.md §7.3)',
    memoryGb: NVSMI + ' H100 "80GB" = 80 GiB HBM3; nvidia-smi total 81,559 MiB = 85.5 GB',
    memoryBandwidthGBs: 'NVIDIA H100 datasheet: 3.35 TB/s (SXM); BLIS hardware_config.json 3.35 TB/s',
    interconnectGBs: 'NVIDIA H100 datasheet: NVLink 900 GB/s bidirectional per GPU -> 450 GB/s per direction',
    tdpWatts: 'NVIDIA H100 datasheet: max TDP up to 700 W (SXM), reference/scheduling.md §7.5',
    idleWatts: IDLE_NOTE,
    usdPerHour: `${HF_PRICING}: H100 $4.50 (Vidur/CoreWeave 2024: $4.25)`,
    mfuPrefill: `${CALIBRATED}: llm-d Qwen3-32B 2xH100 prefill 15,928 tok/s; BLIS uses 0.45`,
    mfuDecode: 'BLIS hardware_config.json mfuDecode 0.30 for H100 (reference/scheduling.md §7.3)',
    mbu: `${CALIBRATED}: the same vLLM's measured batch-1 decode on A100 (~77% of roofline incl. overhead) carried over; no measured H100 batch-1 figure was found`,
    stepOverheadMs: `${CALIBRATED}: BLIS trained-physics step constant ~126 µs + ~32 µs/layer (reference/scheduling.md §7.3)`,
    maxTensorParallel: 'HGX H100: 8 GPUs per NVLink/NVSwitch domain (p5.48xlarge has 8)',
    allReduceLatencyUs: 'ESTIMATE: small-message NVLink all-reduce (vLLM custom all-reduce) takes a few µs; 8 µs incl. launch',
  },
};

export const H200: HardwareProfile = {
  id: 'h200',
  name: 'NVIDIA H200 SXM 141GB',
  kind: 'gpu',
  peakTflops: 989.5,
  memoryGb: 150.7,
  memoryBandwidthGBs: 4800,
  interconnectGBs: 450,
  tdpWatts: 700,
  idleWatts: 70,
  usdPerHour: 5.408,
  mfuPrefill: 0.63,
  mfuDecode: 0.3,
  mbu: 0.8,
  stepOverheadMs: 1.0,
  maxTensorParallel: 8,
  allReduceLatencyUs: 8,
  sources: {
    peakTflops: 'NVIDIA H200 datasheet: same GH100 die as H100, BF16 1,979 TFLOPS sparse -> 989.5 dense',
    memoryGb: NVSMI + ' H200 "141GB" HBM3e; nvidia-smi total 143,771 MiB = 150.7 GB',
    memoryBandwidthGBs: 'NVIDIA H200 datasheet: 4.8 TB/s',
    interconnectGBs: 'NVIDIA H200 datasheet: NVLink 900 GB/s bidirectional -> 450 GB/s per direction',
    tdpWatts: 'NVIDIA H200 datasheet: up to 700 W (SXM)',
    idleWatts: IDLE_NOTE,
    usdPerHour:
      'AWS EC2 Capacity Blocks pricing page: p5e.48xlarge (8xH200) effective accelerator rate $5.408/h (US East Ohio); no HF Endpoints price collected',
    mfuPrefill: 'assumed equal to h100-sxm (same die and clocks)',
    mfuDecode: 'assumed equal to h100-sxm (same die and clocks)',
    mbu: 'assumed equal to h100-sxm (same memory controller generation)',
    stepOverheadMs: 'assumed equal to h100-sxm (same software stack)',
    maxTensorParallel: 'HGX H200: 8 GPUs per NVLink domain',
    allReduceLatencyUs: 'assumed equal to h100-sxm (same NVLink 4)',
  },
};

export const A100_80GB: HardwareProfile = {
  id: 'a100-80gb',
  name: 'NVIDIA A100 SXM4 80GB',
  kind: 'gpu',
  peakTflops: 312,
  memoryGb: 85.9,
  memoryBandwidthGBs: 2039,
  interconnectGBs: 300,
  tdpWatts: 400,
  idleWatts: 50,
  usdPerHour: 2.5,
  mfuPrefill: 0.65,
  mfuDecode: 0.3,
  mbu: 0.8,
  stepOverheadMs: 1.0,
  maxTensorParallel: 8,
  allReduceLatencyUs: 10,
  sources: {
    peakTflops: 'NVIDIA A100 datasheet: BF16 Tensor Core 312 TFLOPS dense (624 sparse); Vidur SKU table 312',
    memoryGb: NVSMI + ' A100 "80GB" = 80 GiB HBM2e; nvidia-smi total 81,920 MiB = 85.9 GB',
    memoryBandwidthGBs: 'NVIDIA A100 datasheet: 2,039 GB/s (80GB SXM); BLIS hardware_config.json 2.039 TB/s',
    interconnectGBs: 'NVIDIA A100 datasheet: NVLink 600 GB/s bidirectional -> 300 GB/s per direction',
    tdpWatts: 'NVIDIA A100 datasheet: 400 W (SXM), reference/scheduling.md §7.5',
    idleWatts: IDLE_NOTE,
    usdPerHour: `${HF_PRICING}: A100 $2.50 (Vidur/CoreWeave: $2.21)`,
    mfuPrefill: `${CALIBRATED}: Vidur A100 MLP profiles imply ~240 TFLOP/s (77%) before attention and overheads`,
    mfuDecode: 'BLIS uses 0.18 for A100; 0.30 kept for parity with H100 (decode is memory-bound, so it rarely binds)',
    mbu: `${CALIBRATED}: A100 Llama-3.1-8B batch-1 ~75 tok/s (johnmusgrave.com, reference/scheduling.md §7.5)`,
    stepOverheadMs: 'assumed equal to h100-sxm (same vLLM CPU path)',
    maxTensorParallel: 'HGX A100: 8 GPUs per NVLink domain (p4d/p4de have 8)',
    allReduceLatencyUs: 'ESTIMATE: NVLink 3 small-message all-reduce, slightly slower than NVLink 4',
  },
};

export const L40S: HardwareProfile = {
  id: 'l40s',
  name: 'NVIDIA L40S 48GB',
  kind: 'gpu',
  peakTflops: 362.05,
  memoryGb: 48.3,
  memoryBandwidthGBs: 864,
  interconnectGBs: 32,
  tdpWatts: 350,
  idleWatts: 35,
  usdPerHour: 1.8,
  mfuPrefill: 0.45,
  mfuDecode: 0.2,
  mbu: 0.75,
  stepOverheadMs: 1.0,
  maxTensorParallel: 8,
  allReduceLatencyUs: 25,
  sources: {
    peakTflops: 'NVIDIA L40S datasheet: BF16 362.05 TFLOPS dense (733 sparse); BLIS hardware_config.json 362.05',
    memoryGb: NVSMI + ' L40S 48 GB GDDR6; nvidia-smi total 46,068 MiB = 48.3 GB (ECC on)',
    memoryBandwidthGBs: 'NVIDIA L40S datasheet: 864 GB/s; BLIS hardware_config.json 0.864 TB/s',
    interconnectGBs: 'NVIDIA L40S datasheet: PCIe Gen4 x16 (64 GB/s bidirectional -> 32 GB/s per direction), no NVLink',
    tdpWatts: 'NVIDIA L40S datasheet: max power 350 W; reference/scheduling.md §7.5',
    idleWatts: IDLE_NOTE,
    usdPerHour: `${HF_PRICING}: L40S $1.80`,
    mfuPrefill: 'ESTIMATE: below Hopper (GDDR6 feeds the tensor cores less well); BLIS uses 0.32; llm-d-inference-sim table puts 8B prefill at 0.65-1.00 ms/token on L40S',
    mfuDecode: 'ESTIMATE between BLIS L40S mfuDecode 0.08 and H100 0.30',
    mbu: 'ESTIMATE: GDDR6 reaches a lower fraction of peak than HBM; llm-d-inference-sim L40S ITL 25-35 ms for 8B is consistent',
    stepOverheadMs: 'assumed equal to h100-sxm (same vLLM CPU path)',
    maxTensorParallel: 'g6e.48xlarge: 8 L40S per instance (PCIe only)',
    allReduceLatencyUs: 'ESTIMATE: PCIe all-reduce through host root complex, ~3x NVLink latency',
  },
};

export const L4: HardwareProfile = {
  id: 'l4',
  name: 'NVIDIA L4 24GB',
  kind: 'gpu',
  peakTflops: 121,
  memoryGb: 24.15,
  memoryBandwidthGBs: 300,
  interconnectGBs: 32,
  tdpWatts: 72,
  idleWatts: 16,
  usdPerHour: 0.8,
  mfuPrefill: 0.45,
  mfuDecode: 0.2,
  mbu: 0.75,
  stepOverheadMs: 1.0,
  maxTensorParallel: 8,
  allReduceLatencyUs: 25,
  sources: {
    peakTflops: 'NVIDIA L4 datasheet: BF16 242 TFLOPS with sparsity -> 121 dense (secondary spec sites 121-125, reference/scheduling.md §7.5)',
    memoryGb: NVSMI + ' L4 24 GB GDDR6; nvidia-smi total 23,034 MiB = 24.15 GB (ECC on)',
    memoryBandwidthGBs: 'NVIDIA L4 datasheet: 300 GB/s',
    interconnectGBs: 'NVIDIA L4 datasheet: PCIe Gen4 x16 -> 32 GB/s per direction, no NVLink',
    tdpWatts: 'NVIDIA L4 datasheet: 72 W max power',
    idleWatts: 'ESTIMATE: ~16 W idle reported for L4 in nvidia-smi (roughly 20% of its low 72 W TDP)',
    usdPerHour: `${HF_PRICING}: L4 $0.80 (GCP $0.70)`,
    mfuPrefill: 'assumed equal to l40s (same Ada architecture, GDDR6)',
    mfuDecode: 'assumed equal to l40s',
    mbu: 'assumed equal to l40s',
    stepOverheadMs: 'assumed equal to h100-sxm (same vLLM CPU path)',
    maxTensorParallel: 'g6.48xlarge: 8 L4 per instance (PCIe only)',
    allReduceLatencyUs: 'assumed equal to l40s (PCIe)',
  },
};
