import type { ArrivalSpec, LengthSpec } from './distributions.js';

export type SyntheticKind = 'conversation' | 'agent' | 'reasoning' | 'shared-prefix';
export const SYNTHETIC_KINDS: readonly SyntheticKind[] = ['conversation', 'agent', 'reasoning', 'shared-prefix'];

/**
 * A synthetic workload. Requests come in sessions: a session's first prompt is a shared prefix (system
 * prompt, or one of `prefixGroups` documents) plus `input` fresh tokens; each later turn resends the whole
 * previous prompt plus the previous answer plus `turnInput` fresh tokens, so the cached prefix grows turn by
 * turn. Single-turn kinds have turns {min: 1, max: 1}.
 */
export interface SyntheticSpec {
  kind: SyntheticKind;
  requests: number;
  /** Mean request arrival rate, requests per second (sessions start at ratePerS / mean turns). */
  ratePerS: number;
  arrival: ArrivalSpec;
  /** Fresh tokens of a session's first prompt, after the shared prefix. */
  input: LengthSpec;
  output: LengthSpec;
  /** Fresh tokens added by each later turn (a user message, a tool result). */
  turnInput: LengthSpec;
  turns: { min: number; max: number };
  /** Mean pause between a turn's answer and the next turn (user think time, tool run time), ms, exponential. */
  thinkMs: number;
  /**
   * The generator is open-loop: the next turn is due after the previous answer would take at this many ms per
   * output token, plus the think time. A fixed pace, not the simulated one (documented in docs/simulator.md).
   */
  paceMsPerOutputToken: number;
  /** Tokens of the shared prefix, and how many distinct ones there are (chosen uniformly per session). */
  prefixTokens: number;
  prefixGroups: number;
  /** A session ends when its prompt would exceed this. */
  maxPromptTokens: number;
  blockTokens: number;
}

const len = (median: number, sigma: number, min: number, max: number): LengthSpec => ({ median, sigma, min, max });

/** Defaults per kind; figures are chosen to resemble the public traces where they exist (see docs/simulator.md). */
export function defaultSpec(kind: SyntheticKind): SyntheticSpec {
  const base = {
    kind,
    requests: 1000,
    ratePerS: 10,
    arrival: { process: 'poisson' } as ArrivalSpec,
    paceMsPerOutputToken: 25,
    maxPromptTokens: 131072,
    blockTokens: 512,
  };
  switch (kind) {
    case 'conversation':
      // Chat: a shared system prompt (every Mooncake conversation request starts with block 0), a few turns.
      return {
        ...base,
        input: len(800, 1.0, 16, 32768),
        output: len(300, 0.8, 1, 4096),
        turnInput: len(200, 1.0, 1, 8192),
        turns: { min: 1, max: 6 },
        thinkMs: 30000,
        prefixTokens: 1024,
        prefixGroups: 1,
      };
    case 'agent':
      // Tool loops: a long system prompt with tool schemas, many turns, short tool calls, growing tool results.
      return {
        ...base,
        input: len(500, 0.8, 16, 16384),
        output: len(150, 0.7, 1, 2048),
        turnInput: len(600, 1.2, 1, 16384),
        turns: { min: 4, max: 24 },
        thinkMs: 2000,
        prefixTokens: 4096,
        prefixGroups: 4,
      };
    case 'reasoning':
      // Reasoning models: moderate prompts, long outputs (ServeGen's deepseek-r1 mean in/out 1,576 / 2,133).
      return {
        ...base,
        input: len(1000, 1.0, 16, 32768),
        output: len(2500, 0.8, 16, 32768),
        turnInput: len(200, 1.0, 1, 8192),
        turns: { min: 1, max: 1 },
        thinkMs: 0,
        prefixTokens: 256,
        prefixGroups: 1,
      };
    case 'shared-prefix':
      // Retrieval / few-shot: one of a few long documents, then a short question.
      return {
        ...base,
        input: len(200, 0.8, 1, 4096),
        output: len(200, 0.8, 1, 4096),
        turnInput: len(200, 1.0, 1, 8192),
        turns: { min: 1, max: 1 },
        thinkMs: 0,
        prefixTokens: 4096,
        prefixGroups: 16,
      };
  }
}
