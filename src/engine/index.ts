/** The engine model: profiles, replica specs, the roofline, power, and the iteration-level engine. */
export type * from './types.js';
export { HARDWARE, hardwareProfile } from './hardware.js';
export { MODELS, modelProfile, kvBytesPerToken } from './models.js';
export { VLLM_DEFAULTS, engineConfig } from './engine-config.js';
export { replicaSpec, kvCapacityBlocks, memoryPlan, type MemoryPlan } from './replica-spec.js';
export {
  addPrefillChunk,
  decodeStepTimeMs,
  emptyComposition,
  peakPrefillTokensPerS,
  prefillTimeMs,
  stepTimeMs,
  stepTiming,
  type StepComposition,
  type StepTiming,
} from './roofline.js';
export { idleEnergyJ, powerWatts, stepEnergyJ } from './power.js';
export { createEngine } from './engine.js';
export { emptyEngineState } from './engine-state.js';
