import type { ChatRequest, ToolChoice, ToolDefinition } from '../../spec/request.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { messages, textBlock } from './convert-content.js';

/**
 * Canonical ChatRequest → Anthropic Messages API body (https://docs.anthropic.com/en/api/messages).
 *
 * Choices where the two APIs differ, each documented so a bill or an answer is never surprising:
 * - `max_tokens` is required by Anthropic; a request without one gets `defaultMaxTokens` (4096 unless set).
 * - OpenAI's temperature runs 0–2, Anthropic's 0–1: values above 1 are clamped to 1.
 * - `reasoning.effort` from an Anthropic client goes back to `output_config.effort`, where it came from. From
 *   an OpenAI client (`reasoning_effort`) it becomes a thinking budget, which every thinking-capable Claude
 *   model accepts (low 1024, medium 4096, high 16384 tokens), kept below max_tokens; below Anthropic's
 *   1024-token minimum no thinking is requested.
 * - `response_format` json_schema becomes `output_config.format` (Anthropic structured outputs); plain JSON
 *   mode has no Anthropic counterpart and is refused, as are non-zero frequency/presence penalties.
 *   `seed` is dropped: Anthropic has no seeded sampling.
 * - Fields in `extra` from an Anthropic client are forwarded verbatim and win over mapped ones (they are the
 *   client's own words for what the canonical form could only approximate).
 */
export interface ConvertRequestOptions {
  upstreamModel: string;
  stream: boolean;
  defaultMaxTokens?: number;
}

type Json = Record<string, unknown>;

const EFFORT_BUDGET = { minimal: 1024, low: 1024, medium: 4096, high: 16384 } as const;
const MIN_THINKING_BUDGET = 1024;

export function toAnthropicRequest(request: ChatRequest, options: ConvertRequestOptions): Json {
  const maxTokens = request.maxOutputTokens ?? options.defaultMaxTokens ?? 4096;
  const body: Json = { model: options.upstreamModel, max_tokens: maxTokens };
  if (request.system.length > 0) body['system'] = request.system.map(textBlock);
  body['messages'] = messages(request.messages);
  if (request.stop !== undefined && request.stop.length > 0) body['stop_sequences'] = [...request.stop];
  if (request.temperature !== undefined) body['temperature'] = Math.min(1, request.temperature);
  if (request.topP !== undefined) body['top_p'] = request.topP;
  if (request.topK !== undefined) body['top_k'] = request.topK;
  if (request.user !== undefined) body['metadata'] = { user_id: request.user };
  if (request.tools !== undefined && request.tools.length > 0) body['tools'] = request.tools.map(tool);
  const choice = toolChoice(request.toolChoice, request.parallelToolCalls, request.tools !== undefined && request.tools.length > 0);
  if (choice !== undefined) body['tool_choice'] = choice;
  const thinking = thinkingConfig(request, maxTokens);
  if (thinking !== undefined) body['thinking'] = thinking;
  const outputConfig = outputConfigFor(request);
  if (outputConfig !== undefined) body['output_config'] = outputConfig;
  refuseUnmappable(request);
  if (options.stream) body['stream'] = true;
  if (request.surface === 'anthropic' && request.extra !== undefined) Object.assign(body, request.extra);
  return body;
}

/** The body for `POST /v1/messages/count_tokens`: the fields that shape the prompt, nothing else. */
export function toCountTokensRequest(request: ChatRequest, upstreamModel: string): Json {
  const full = toAnthropicRequest(request, { upstreamModel, stream: false });
  const body: Json = {};
  for (const key of ['model', 'system', 'messages', 'tools', 'tool_choice', 'thinking']) {
    if (full[key] !== undefined) body[key] = full[key];
  }
  return body;
}

function tool(definition: ToolDefinition): Json {
  const schema = definition.inputSchema;
  // Anthropic requires an object schema at the root; OpenAI clients sometimes leave out `type`.
  const inputSchema = schema['type'] === undefined ? { type: 'object', ...schema } : schema;
  const out: Json = { name: definition.name };
  if (definition.description !== undefined) out['description'] = definition.description;
  out['input_schema'] = inputSchema;
  if (definition.strict !== undefined) out['strict'] = definition.strict;
  if (definition.cacheControl !== undefined) out['cache_control'] = { ...definition.cacheControl };
  return out;
}

function toolChoice(choice: ToolChoice | undefined, parallel: boolean | undefined, hasTools: boolean): Json | undefined {
  const disable = parallel === false ? { disable_parallel_tool_use: true } : {};
  switch (choice?.type) {
    case undefined:
      return parallel === false && hasTools ? { type: 'auto', ...disable } : undefined;
    case 'auto':
      return { type: 'auto', ...disable };
    case 'required':
      return { type: 'any', ...disable };
    case 'tool':
      return { type: 'tool', name: choice.name, ...disable };
    case 'none':
      return { type: 'none' };
  }
}

function thinkingConfig(request: ChatRequest, maxTokens: number): Json | undefined {
  const reasoning = request.reasoning;
  if (reasoning === undefined) return undefined;
  if (reasoning.budgetTokens !== undefined) return { type: 'enabled', budget_tokens: reasoning.budgetTokens };
  if (reasoning.effort === undefined || request.surface === 'anthropic') return undefined;
  // Anthropic counts thinking inside max_tokens and wants budget_tokens < max_tokens.
  const budget = Math.min(EFFORT_BUDGET[reasoning.effort], maxTokens - 1);
  return budget >= MIN_THINKING_BUDGET ? { type: 'enabled', budget_tokens: budget } : undefined;
}

function outputConfigFor(request: ChatRequest): Json | undefined {
  const config: Json = {};
  const effort = request.reasoning?.effort;
  if (effort !== undefined && request.surface === 'anthropic') config['effort'] = effort === 'minimal' ? 'low' : effort;
  const format = request.responseFormat;
  if (format?.type === 'json') {
    throw new GatewayError(
      'unsupported_feature',
      'response_format {"type":"json_object"} has no Anthropic equivalent; use a json_schema response format',
      { param: 'response_format' },
    );
  }
  if (format?.type === 'json-schema') config['format'] = { type: 'json_schema', schema: format.schema };
  return Object.keys(config).length > 0 ? config : undefined;
}

function refuseUnmappable(request: ChatRequest): void {
  for (const [field, value] of [
    ['frequency_penalty', request.frequencyPenalty],
    ['presence_penalty', request.presencePenalty],
  ] as const) {
    if (value !== undefined && value !== 0) {
      throw new GatewayError('unsupported_feature', `${field} is not supported by Anthropic models`, { param: field });
    }
  }
}
