import type { CacheControl, ContentBlock, ImageBlock, Message, TextBlock } from '../../spec/content.js';
import { GatewayError } from '../../errors/gateway-error.js';

/**
 * Canonical content → Anthropic content blocks (the `ContentBlockParam` union of @anthropic-ai/sdk).
 * Anthropic rejects empty text blocks and unsigned thinking blocks, so those are left out rather than sent
 * to fail: an empty text adds nothing, and reasoning produced by another backend (no signature) cannot be
 * verified by Anthropic, which only accepts thinking it signed itself.
 */
type Json = Record<string, unknown>;

function withCache(block: Json, cacheControl: CacheControl | undefined): Json {
  if (cacheControl !== undefined) block['cache_control'] = { ...cacheControl };
  return block;
}

export function textBlock(block: TextBlock): Json {
  return withCache({ type: 'text', text: block.text }, block.cacheControl);
}

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s;

export function imageBlock(block: ImageBlock): Json {
  const source = block.source;
  if (source.kind === 'base64') {
    return withCache({ type: 'image', source: { type: 'base64', media_type: source.mediaType, data: source.data } }, block.cacheControl);
  }
  // OpenAI clients send inline images as data URLs; Anthropic wants them as base64 sources.
  const inline = DATA_URL.exec(source.url);
  if (inline !== null) {
    return withCache({ type: 'image', source: { type: 'base64', media_type: inline[1], data: inline[2] } }, block.cacheControl);
  }
  return withCache({ type: 'image', source: { type: 'url', url: source.url } }, block.cacheControl);
}

function toolInput(input: unknown, name: string): Json {
  if (input === undefined || input === null) return {};
  if (typeof input === 'object' && !Array.isArray(input)) return input as Json;
  throw new GatewayError('invalid_request', `tool call "${name}": arguments must be a JSON object for this model`, {
    param: 'messages',
  });
}

export function contentBlock(block: ContentBlock): Json | undefined {
  switch (block.type) {
    case 'text':
      return block.text === '' ? undefined : textBlock(block);
    case 'image':
      return imageBlock(block);
    case 'tool-use':
      return withCache(
        { type: 'tool_use', id: block.id, name: block.name, input: toolInput(block.input, block.name) },
        block.cacheControl,
      );
    case 'tool-result': {
      const result: Json = { type: 'tool_result', tool_use_id: block.toolUseId };
      const content = block.content
        .map((part) => (part.type === 'text' ? (part.text === '' ? undefined : textBlock(part)) : imageBlock(part)))
        .filter((part): part is Json => part !== undefined);
      if (content.length > 0) result['content'] = content;
      if (block.isError !== undefined) result['is_error'] = block.isError;
      return withCache(result, block.cacheControl);
    }
    case 'reasoning':
      if (block.redactedData !== undefined) return { type: 'redacted_thinking', data: block.redactedData };
      if (block.signature === undefined || block.signature === '') return undefined;
      return { type: 'thinking', thinking: block.text, signature: block.signature };
  }
}

/**
 * Messages in order. A message left with no content is dropped (Anthropic rejects empty turns, and an empty
 * final assistant prefill is the same as none). Consecutive turns of one role are sent as they are: the
 * Messages API combines them into a single turn itself.
 */
export function messages(list: Message[]): Json[] {
  const out: Json[] = [];
  for (const message of list) {
    const content = message.content.map(contentBlock).filter((block): block is Json => block !== undefined);
    if (content.length > 0) out.push({ role: message.role, content });
  }
  return out;
}
