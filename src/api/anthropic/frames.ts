import type { StreamEvent } from '../../spec/stream.js';
import type { Usage } from '../../spec/usage.js';
import { encodeSse } from '../../util/sse.js';
import { toAnthropicUsage } from '../../providers/anthropic/convert-usage.js';
import { toStopReason } from '../../providers/anthropic/map-stop-reason.js';

/**
 * Anthropic SSE frames. Every frame names its event and repeats the name as `type` in the data, as
 * Anthropic's stream does; @anthropic-ai/sdk skips frames without an event name.
 */
export function frame(type: string, body: Record<string, unknown>): string {
  // `{"type":…}` joined to the body's own JSON rather than serialising `{ type, ...body }`: an object
  // spread per frame reaches V8's old generation (docs/decisions/2026-12-06-request-path-allocation.md).
  const rest = JSON.stringify(body);
  const head = `{"type":${JSON.stringify(type)}`;
  return encodeSse(rest === '{}' ? `${head}}` : `${head},${rest.slice(1)}`, type);
}

export function blockDelta(index: number, delta: Record<string, unknown>): string {
  return frame('content_block_delta', { index, delta });
}

/**
 * The hot path, one frame per streamed token: the same bytes as `blockDelta(index, {type, [field]: text})`,
 * written without building and serialising the surrounding objects (a JSON string never holds a raw newline,
 * so the frame is one `data:` line).
 */
export function textualDelta(index: number, type: 'text_delta' | 'thinking_delta' | 'input_json_delta', text: string): string {
  const field = type === 'text_delta' ? 'text' : type === 'thinking_delta' ? 'thinking' : 'partial_json';
  return `event: content_block_delta\ndata: {"type":"content_block_delta","index":${index},"delta":{"type":"${type}","${field}":${JSON.stringify(text)}}}\n\n`;
}

/** message_start: the Message with empty content, and the usage known so far. */
export function messageStartFrame(id: string, model: string, usage: Usage, gatewayInputTokens?: number | (() => number)): string {
  const rendered = toAnthropicUsage(usage);
  const fallback = typeof gatewayInputTokens === 'function' && rendered.input_tokens === null ? gatewayInputTokens() : gatewayInputTokens;
  return frame('message_start', {
    message: {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: {
        input_tokens: rendered.input_tokens ?? (typeof fallback === 'number' ? fallback : null),
        cache_creation_input_tokens: rendered.cache_creation_input_tokens,
        cache_read_input_tokens: rendered.cache_read_input_tokens,
        cache_creation: rendered.cache_creation,
        // Output so far: nothing has been streamed yet unless the upstream counted its preamble.
        output_tokens: rendered.output_tokens ?? 0,
      },
    },
  });
}

/**
 * message_delta: stop reason and cumulative usage. Prompt fields are included when known, as Anthropic's
 * current API sends them; unknown ones are left out (the SDK only overwrites fields that are present).
 */
export function messageDeltaFrame(finish: Extract<StreamEvent, { type: 'finish' }>, usage: Usage): string {
  const rendered = toAnthropicUsage(usage);
  const deltaUsage: Record<string, number | null> = {};
  if (rendered.input_tokens !== null) deltaUsage['input_tokens'] = rendered.input_tokens;
  if (rendered.cache_creation_input_tokens !== null) {
    deltaUsage['cache_creation_input_tokens'] = rendered.cache_creation_input_tokens;
  }
  if (rendered.cache_read_input_tokens !== null) deltaUsage['cache_read_input_tokens'] = rendered.cache_read_input_tokens;
  deltaUsage['output_tokens'] = rendered.output_tokens;
  return frame('message_delta', {
    delta: {
      stop_reason: toStopReason(finish.reason, finish.raw, finish.stopSequence),
      stop_sequence: finish.stopSequence ?? null,
    },
    usage: deltaUsage,
  });
}
