import { z } from 'zod';
import { readFileText } from '../trace/read-trace.js';
import { SimInputError } from '../types.js';
import { parseYamlWith } from '../yaml-input.js';
import type { LengthSpec } from './distributions.js';
import { defaultSpec, SYNTHETIC_KINDS, type SyntheticKind, type SyntheticSpec } from './kinds.js';

/**
 * A workload YAML: `kind` picks the defaults (src/sim/workload/kinds.ts), every other field overrides one.
 * Length fields may be partial (`output: {median: 4000}` keeps the kind's sigma and bounds).
 */
const length = z.strictObject({
  median: z.number().positive().optional(),
  sigma: z.number().min(0).optional(),
  min: z.int().min(1).optional(),
  max: z.int().min(1).optional(),
});

const arrival = z.discriminatedUnion('process', [
  z.strictObject({ process: z.literal('poisson') }),
  z.strictObject({ process: z.literal('gamma'), cv: z.number().positive() }),
]);

const workload = z.strictObject({
  kind: z.enum(SYNTHETIC_KINDS as [SyntheticKind, ...SyntheticKind[]]),
  requests: z.int().min(1).optional(),
  rate: z.number().positive().optional(),
  arrival: arrival.optional(),
  input: length.optional(),
  output: length.optional(),
  turnInput: length.optional(),
  turns: z.strictObject({ min: z.int().min(1), max: z.int().min(1) }).optional(),
  thinkMs: z.number().min(0).optional(),
  paceMsPerOutputToken: z.number().min(0).optional(),
  prefixTokens: z.int().min(0).optional(),
  prefixGroups: z.int().min(1).optional(),
  maxPromptTokens: z.int().min(1).optional(),
  blockTokens: z.int().min(1).optional(),
});

export type WorkloadFile = z.infer<typeof workload>;

function mergeLength(base: LengthSpec, over: z.infer<typeof length> | undefined): LengthSpec {
  return {
    median: over?.median ?? base.median,
    sigma: over?.sigma ?? base.sigma,
    min: over?.min ?? base.min,
    max: over?.max ?? base.max,
  };
}

/** Merges a workload description over its kind's defaults and checks the result is coherent. */
export function resolveWorkload(input: WorkloadFile, where: string): SyntheticSpec {
  const base = defaultSpec(input.kind);
  const spec: SyntheticSpec = {
    ...base,
    ...(input.requests === undefined ? {} : { requests: input.requests }),
    ...(input.rate === undefined ? {} : { ratePerS: input.rate }),
    ...(input.arrival === undefined ? {} : { arrival: input.arrival }),
    input: mergeLength(base.input, input.input),
    output: mergeLength(base.output, input.output),
    turnInput: mergeLength(base.turnInput, input.turnInput),
    ...(input.turns === undefined ? {} : { turns: input.turns }),
    ...(input.thinkMs === undefined ? {} : { thinkMs: input.thinkMs }),
    ...(input.paceMsPerOutputToken === undefined ? {} : { paceMsPerOutputToken: input.paceMsPerOutputToken }),
    ...(input.prefixTokens === undefined ? {} : { prefixTokens: input.prefixTokens }),
    ...(input.prefixGroups === undefined ? {} : { prefixGroups: input.prefixGroups }),
    ...(input.maxPromptTokens === undefined ? {} : { maxPromptTokens: input.maxPromptTokens }),
    ...(input.blockTokens === undefined ? {} : { blockTokens: input.blockTokens }),
  };
  for (const field of ['input', 'output', 'turnInput'] as const) {
    if (spec[field].min > spec[field].max) throw new SimInputError(`${where}: ${field}: min ${spec[field].min} is above max ${spec[field].max}`);
  }
  if (spec.turns.min > spec.turns.max) throw new SimInputError(`${where}: turns: min ${spec.turns.min} is above max ${spec.turns.max}`);
  return spec;
}

export function parseWorkloadFile(text: string, file: string): SyntheticSpec {
  return resolveWorkload(parseYamlWith(text, file, workload), file);
}

export function readWorkloadFile(file: string): SyntheticSpec {
  return parseWorkloadFile(readFileText(file, 'workload file'), file);
}
