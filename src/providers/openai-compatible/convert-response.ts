import type { AssistantBlock } from '../../spec/content.js';
import type { ChatResponse, CompletionResponse, EmbeddingResponse } from '../../spec/response.js';
import { UpstreamError } from '../../errors/upstream-error.js';
import type { WireChatResponse, WireEmbeddingResponse } from './api-types.js';
import { convertUsage } from './convert-usage.js';
import { mapFinishReason } from './map-finish-reason.js';

/** chat.completion → canonical response (first choice; `n > 1` is passed through `extra` but not mapped). */
export function convertChatResponse(wire: WireChatResponse, origin: string): ChatResponse {
  const choice = wire.choices?.[0];
  const message = choice?.message;
  if (choice === undefined || message === undefined || message === null) {
    throw new UpstreamError({ kind: 'protocol', message: `${origin} answered without choices[0].message` });
  }
  const content: AssistantBlock[] = [];
  const reasoning = message.reasoning_content ?? message.reasoning;
  if (typeof reasoning === 'string' && reasoning !== '') content.push({ type: 'reasoning', text: reasoning });
  const text = message.content ?? message.refusal;
  if (typeof text === 'string' && text !== '') content.push({ type: 'text', text });
  for (const call of message.tool_calls ?? []) {
    content.push({
      type: 'tool-use',
      id: call.id ?? '',
      name: call.function?.name ?? '',
      input: parseArguments(call.function?.arguments),
    });
  }
  const raw = choice.finish_reason ?? undefined;
  const response: ChatResponse = {
    id: wire.id ?? '',
    model: wire.model ?? '',
    content,
    finishReason: mapFinishReason(raw),
    usage: convertUsage(wire.usage),
  };
  if (raw !== undefined) response.rawFinishReason = raw;
  if (typeof choice.stop_reason === 'string') response.stopSequence = choice.stop_reason;
  return response;
}

/**
 * Tool arguments arrive as a JSON string. Models sometimes emit invalid JSON; then the raw string is kept
 * so the client still sees exactly what the model produced.
 */
export function parseArguments(raw: string | null | undefined): unknown {
  if (raw === undefined || raw === null || raw === '') return {};
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

export function convertCompletionResponse(wire: WireChatResponse, origin: string): CompletionResponse {
  const choice = wire.choices?.[0];
  if (choice === undefined) throw new UpstreamError({ kind: 'protocol', message: `${origin} answered without choices[0]` });
  const raw = choice.finish_reason ?? undefined;
  return {
    id: wire.id ?? '',
    model: wire.model ?? '',
    text: choice.text ?? '',
    finishReason: mapFinishReason(raw),
    ...(raw === undefined ? {} : { rawFinishReason: raw }),
    usage: convertUsage(wire.usage),
  };
}

export function convertEmbeddingResponse(wire: WireEmbeddingResponse, origin: string): EmbeddingResponse {
  if (!Array.isArray(wire.data)) throw new UpstreamError({ kind: 'protocol', message: `${origin} answered without data[]` });
  const embeddings: Array<number[] | string> = [];
  for (const item of wire.data) embeddings[item.index ?? embeddings.length] = item.embedding ?? [];
  return { model: wire.model ?? '', embeddings, usage: convertUsage(wire.usage) };
}
