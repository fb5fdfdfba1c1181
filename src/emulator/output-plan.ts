import { randomUUID } from 'node:crypto';
import { countTokens, tokenize } from '../tokenizer/tokenizer.js';
import { sampleSchema } from './json-schema-sample.js';
import { generatePieces, naturalLength } from './text-gen.js';
import type { Rng } from './rng.js';
import type { ResponseFormat, ToolDef } from './request-types.js';

/**
 * What a request will output, decided before the engine runs it: the engine model decides *when* each
 * token appears, the plan decides *what* it is. Emissions are consumed in order as the engine reports
 * tokens; each costs `cost` output tokens (a text piece or argument fragment 1, a tool call's header the
 * tokens of its name).
 */
export type Emission =
  | { kind: 'text'; cost: number; text: string }
  | { kind: 'tool-header'; cost: number; id: string; name: string }
  | { kind: 'tool-args'; cost: number; text: string };

export type FinishReason = 'stop' | 'length' | 'tool_calls';

export interface OutputPlan {
  emissions: Emission[];
  /** Tokens the engine generates: the sum of the emissions' costs (usage.completion_tokens). */
  outputTokens: number;
  finishReason: FinishReason;
  /** Visible text (stop sequences removed). */
  text: string;
  toolCall?: { id: string; name: string; arguments: string };
}

export interface PlanInput {
  rng: Rng;
  maxTokens: number;
  stop: readonly string[];
  ignoreEos: boolean;
  tool: ToolDef | undefined;
  /** Structured output; a tool call takes precedence. Default prose. */
  format?: ResponseFormat;
}

export function planOutput(input: PlanInput): OutputPlan {
  if (input.tool !== undefined) return planToolCall(input, input.tool);
  const format = input.format ?? { kind: 'text' };
  if (format.kind === 'json_schema') return planJson(input, sampleSchema(format.schema, input.rng));
  if (format.kind === 'json_object') return planJson(input, sampleSchema({ type: 'object', properties: { answer: { type: 'string' } } }, input.rng));
  return planText(input);
}

/** Structured output: the JSON text of a value generated from the schema, one token per tokenizer piece. */
function planJson({ maxTokens }: PlanInput, value: unknown): OutputPlan {
  const pieces = tokenize(JSON.stringify(value));
  const used = Math.min(pieces.length, maxTokens);
  const emissions: Emission[] = pieces.slice(0, used).map((text) => ({ kind: 'text', cost: 1, text }));
  return {
    emissions,
    outputTokens: used,
    finishReason: used < pieces.length ? 'length' : 'stop',
    text: pieces.slice(0, used).join(''),
  };
}

function planText({ rng, maxTokens, stop, ignoreEos }: PlanInput): OutputPlan {
  const natural = naturalLength(rng);
  const count = ignoreEos ? maxTokens : Math.min(natural, maxTokens);
  const pieces = generatePieces(rng, count);
  let finishReason: FinishReason = ignoreEos || natural > maxTokens ? 'length' : 'stop';
  const full = pieces.join('');
  // The earliest stop string that appears in full; the output ends with the token that completes it, and the
  // stop string itself is not returned (OpenAI's and vLLM's behaviour).
  let cut = -1;
  let cutEnd = -1;
  for (const s of stop) {
    const at = full.indexOf(s);
    if (at >= 0 && (cut < 0 || at < cut)) {
      cut = at;
      cutEnd = at + s.length;
    }
  }
  let used = pieces.length;
  let visibleEnd = full.length;
  if (cut >= 0) {
    visibleEnd = cut;
    let end = 0;
    for (let i = 0; i < pieces.length; i++) {
      end += (pieces[i] as string).length;
      if (end >= cutEnd) {
        used = i + 1;
        break;
      }
    }
    finishReason = 'stop';
  }
  const emissions: Emission[] = [];
  let start = 0;
  for (let i = 0; i < used; i++) {
    const piece = pieces[i] as string;
    const end = start + piece.length;
    emissions.push({ kind: 'text', cost: 1, text: full.slice(Math.min(start, visibleEnd), Math.min(end, visibleEnd)) });
    start = end;
  }
  return { emissions, outputTokens: used, finishReason, text: full.slice(0, visibleEnd) };
}

function planToolCall({ rng, maxTokens }: PlanInput, tool: ToolDef): OutputPlan {
  const args = JSON.stringify(sampleSchema(tool.parameters, rng));
  const id = `chatcmpl-tool-${randomUUID().replace(/-/g, '')}`;
  const headerCost = Math.min(Math.max(1, countTokens(tool.name)), maxTokens);
  const emissions: Emission[] = [{ kind: 'tool-header', cost: headerCost, id, name: tool.name }];
  let budget = maxTokens - headerCost;
  let visibleArgs = '';
  const fragments = tokenize(args);
  for (const fragment of fragments) {
    if (budget <= 0) break;
    emissions.push({ kind: 'tool-args', cost: 1, text: fragment });
    visibleArgs += fragment;
    budget--;
  }
  const truncated = visibleArgs.length < args.length;
  return {
    emissions,
    outputTokens: emissions.reduce((sum, e) => sum + e.cost, 0),
    finishReason: truncated ? 'length' : 'tool_calls',
    text: '',
    toolCall: { id, name: tool.name, arguments: visibleArgs },
  };
}
