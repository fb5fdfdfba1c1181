import type { FinishReason, OutputPlan } from './output-plan.js';

/**
 * Response bodies and stream chunks in the shapes vLLM's OpenAI-compatible server sends (which follow
 * OpenAI's API reference): `chat.completion`, `chat.completion.chunk`, `text_completion`, and `usage` with
 * `prompt_tokens_details.cached_tokens`.
 */
export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
}

export interface ResponseHeader {
  id: string;
  created: number;
  model: string;
}

export function usage(promptTokens: number, completionTokens: number, cachedTokens: number): Usage {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: cachedTokens },
  };
}

export function chatCompletion(h: ResponseHeader, plan: OutputPlan, u: Usage): Record<string, unknown> {
  const message: Record<string, unknown> = { role: 'assistant', content: plan.toolCall === undefined ? plan.text : null };
  message['tool_calls'] =
    plan.toolCall === undefined
      ? []
      : [{ id: plan.toolCall.id, type: 'function', function: { name: plan.toolCall.name, arguments: plan.toolCall.arguments } }];
  return {
    id: h.id,
    object: 'chat.completion',
    created: h.created,
    model: h.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: plan.finishReason, stop_reason: null }],
    usage: u,
  };
}

export function textCompletion(h: ResponseHeader, plan: OutputPlan, u: Usage): Record<string, unknown> {
  return {
    id: h.id,
    object: 'text_completion',
    created: h.created,
    model: h.model,
    choices: [{ index: 0, text: plan.text, logprobs: null, finish_reason: plan.finishReason, stop_reason: null }],
    usage: u,
  };
}

/** A chat stream chunk with one choice; `usage: null` is added when the client asked for usage. */
export function chatChunk(h: ResponseHeader, delta: Record<string, unknown>, finishReason: FinishReason | null, withUsage: boolean): Record<string, unknown> {
  const chunk: Record<string, unknown> = {
    id: h.id,
    object: 'chat.completion.chunk',
    created: h.created,
    model: h.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  };
  if (withUsage) chunk['usage'] = null;
  return chunk;
}

export function completionChunk(h: ResponseHeader, text: string, finishReason: FinishReason | null, withUsage: boolean): Record<string, unknown> {
  const chunk: Record<string, unknown> = {
    id: h.id,
    object: 'text_completion',
    created: h.created,
    model: h.model,
    choices: [{ index: 0, text, logprobs: null, finish_reason: finishReason, stop_reason: null }],
  };
  if (withUsage) chunk['usage'] = null;
  return chunk;
}

/** The final usage-only chunk (`choices: []`), sent before `[DONE]` when stream_options.include_usage is set. */
export function usageChunk(h: ResponseHeader, object: 'chat.completion.chunk' | 'text_completion', u: Usage): Record<string, unknown> {
  return { id: h.id, object, created: h.created, model: h.model, choices: [], usage: u };
}
