import { UpstreamError } from '../../errors/upstream-error.js';
import type { AssistantBlock } from '../../spec/content.js';
import type { ChatResponse } from '../../spec/response.js';
import { convertUsage } from './convert-usage.js';
import { mapFinishReason } from './map-finish-reason.js';
import { mintToolId } from './tool-ids.js';
import type { GenerateContentResponse, Part } from './wire-types.js';

export interface ResponseContext {
  requestId: string;
  model: string;
}

/** GenerateContentResponse → canonical ChatResponse (first candidate; we never ask for more). */
export function convertResponse(raw: unknown, context: ResponseContext): ChatResponse {
  if (typeof raw !== 'object' || raw === null) {
    throw new UpstreamError({ kind: 'protocol', message: 'Gemini response is malformed: the body is not a JSON object' });
  }
  const body = raw as GenerateContentResponse;
  const candidate = body.candidates?.[0];
  const content = (candidate?.content?.parts ?? []).flatMap(convertPart);
  const hasToolCalls = content.some((block) => block.type === 'tool-use');
  const response: ChatResponse = {
    id: body.responseId ?? context.requestId,
    model: body.modelVersion ?? context.model,
    content,
    finishReason: 'other',
    usage: convertUsage(body.usageMetadata),
  };
  if (candidate === undefined && body.promptFeedback?.blockReason !== undefined) {
    // The prompt itself was blocked: no candidate at all.
    response.finishReason = 'content-filter';
    response.rawFinishReason = body.promptFeedback.blockReason;
  } else {
    response.finishReason = mapFinishReason(candidate?.finishReason, hasToolCalls);
    if (candidate?.finishReason !== undefined) response.rawFinishReason = candidate.finishReason;
  }
  return response;
}

/**
 * One part → canonical blocks. Thought parts are reasoning; function calls become tool-use blocks with a
 * minted id (carrying the part's thought signature, see tool-ids.ts). A thought signature on a plain text
 * part is optional to send back (Gemini "Thought signatures" guide) and is dropped.
 */
export function convertPart(part: Part): AssistantBlock[] {
  if (part.functionCall !== undefined) {
    return [
      {
        type: 'tool-use',
        id: mintToolId(part.functionCall.id, part.thoughtSignature),
        name: part.functionCall.name,
        input: part.functionCall.args ?? {},
      },
    ];
  }
  if (typeof part.text === 'string') {
    if (part.thought === true) {
      return [part.thoughtSignature === undefined ? { type: 'reasoning', text: part.text } : { type: 'reasoning', text: part.text, signature: part.thoughtSignature }];
    }
    return part.text.length > 0 ? [{ type: 'text', text: part.text }] : [];
  }
  return [];
}
