import { UpstreamError } from '../../errors/upstream-error.js';
import type { AssistantBlock } from '../../spec/content.js';
import type { ChatResponse } from '../../spec/response.js';
import { convertUsage } from './convert-usage.js';
import { mapFinishReason } from './map-finish-reason.js';
import type { ConverseResponse, ResponseContentBlock } from './wire-types.js';

export interface ResponseContext {
  /** Bedrock has no response id in the body; the `x-amzn-requestid` header stands in. */
  requestId: string;
  model: string;
}

/** Converse response body → canonical ChatResponse. */
export function convertResponse(raw: unknown, context: ResponseContext): ChatResponse {
  if (typeof raw !== 'object' || raw === null) throw malformed('the body is not a JSON object');
  const body = raw as ConverseResponse;
  const blocks = body.output?.message?.content;
  if (!Array.isArray(blocks)) throw malformed('output.message.content is missing');
  const content = blocks.flatMap(convertBlock);
  const response: ChatResponse = {
    id: context.requestId,
    model: body.trace?.promptRouter?.invokedModelId ?? context.model,
    content,
    finishReason: mapFinishReason(body.stopReason),
    usage: convertUsage(body.usage),
  };
  if (body.stopReason !== undefined) response.rawFinishReason = body.stopReason;
  const stopSequence = matchedStopSequence(body.additionalModelResponseFields);
  if (stopSequence !== undefined) response.stopSequence = stopSequence;
  return response;
}

function convertBlock(block: ResponseContentBlock): AssistantBlock[] {
  if (typeof block.text === 'string') return [{ type: 'text', text: block.text }];
  if (block.toolUse !== undefined) {
    const { toolUseId, name, input } = block.toolUse;
    if (typeof toolUseId !== 'string' || typeof name !== 'string') throw malformed('a toolUse block lacks toolUseId or name');
    return [{ type: 'tool-use', id: toolUseId, name, input: input ?? {} }];
  }
  if (block.reasoningContent !== undefined) {
    const { reasoningText, redactedContent } = block.reasoningContent;
    if (typeof redactedContent === 'string') return [{ type: 'reasoning', text: '', redactedData: redactedContent }];
    if (reasoningText !== undefined) {
      return [
        reasoningText.signature === undefined
          ? { type: 'reasoning', text: reasoningText.text }
          : { type: 'reasoning', text: reasoningText.text, signature: reasoningText.signature },
      ];
    }
  }
  // citationsContent, guardContent and future block kinds carry nothing the canonical form holds.
  return [];
}

/**
 * Anthropic models on Bedrock report the matched stop sequence in additionalModelResponseFields, as
 * `stop_sequence` (Converse) or `delta.stop_sequence` (ConverseStream messageStop, seen in vercel/ai's
 * recorded bedrock-reasoning.chunks.txt).
 */
export function matchedStopSequence(fields: Record<string, unknown> | undefined): string | undefined {
  if (fields === undefined) return undefined;
  const direct = fields['stop_sequence'];
  if (typeof direct === 'string') return direct;
  const delta = fields['delta'];
  if (typeof delta === 'object' && delta !== null) {
    const nested = (delta as Record<string, unknown>)['stop_sequence'];
    if (typeof nested === 'string') return nested;
  }
  return undefined;
}

function malformed(detail: string): UpstreamError {
  return new UpstreamError({ kind: 'protocol', message: `Bedrock Converse response is malformed: ${detail}` });
}
