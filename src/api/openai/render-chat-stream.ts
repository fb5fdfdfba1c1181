import type { StreamEvent } from '../../spec/stream.js';
import type { Usage } from '../../spec/usage.js';
import { ERROR_CATALOG, isErrorCode } from '../../errors/catalog.js';
import { mergeUsage, openaiFinishReason, renderUsage } from './render-usage.js';
import type { RenderOptions } from './render-chat.js';

export interface StreamRenderOptions extends RenderOptions {
  /** The client asked for `stream_options.include_usage`. */
  includeUsage: boolean;
  /** `chat.completion.chunk` or legacy `text_completion`. */
  kind?: 'chat' | 'completion';
}

/**
 * Canonical events → OpenAI `chat.completion.chunk` SSE frames
 * (https://platform.openai.com/docs/api-reference/chat/streaming): a role chunk first, content and
 * tool-call deltas keyed by `index`, a chunk carrying `finish_reason`, then — only when the client asked
 * — a usage chunk with `choices: []`, and `data: [DONE]`. With include_usage every other chunk has
 * `"usage":null`, as OpenAI sends. The chunk prefix is built once per stream, not per token.
 */
export async function* renderChatStream(events: AsyncIterable<StreamEvent>, options: StreamRenderOptions): AsyncGenerator<string> {
  const completion = options.kind === 'completion';
  const head =
    `data: {"id":${JSON.stringify(options.id)},"object":"${completion ? 'text_completion' : 'chat.completion.chunk'}",` +
    `"created":${options.created},"model":${JSON.stringify(options.model)},"choices":[`;
  const tail = options.includeUsage ? ',"usage":null}\n\n' : '}\n\n';
  const delta = (json: string): string =>
    completion
      ? `${head}{"index":0,"text":${json},"logprobs":null,"finish_reason":null}]${tail}`
      : `${head}{"index":0,"delta":${json},"logprobs":null,"finish_reason":null}]${tail}`;
  const usage: Usage = { inputTokens: undefined, cachedInputTokens: undefined, cacheWriteTokens: undefined, outputTokens: undefined, reasoningTokens: undefined };
  let roleSent = completion;
  for await (const event of events) {
    if (!roleSent && event.type !== 'usage' && event.type !== 'error') {
      roleSent = true;
      yield delta('{"role":"assistant","content":""}');
    }
    switch (event.type) {
      case 'text-delta':
        yield delta(completion ? JSON.stringify(event.text) : `{"content":${JSON.stringify(event.text)}}`);
        break;
      case 'reasoning-delta':
        if (!completion) yield delta(`{"reasoning_content":${JSON.stringify(event.text)}}`);
        break;
      case 'tool-call-start':
        yield delta(
          `{"tool_calls":[{"index":${event.index},"id":${JSON.stringify(event.id)},"type":"function","function":{"name":${JSON.stringify(event.name)},"arguments":""}}]}`,
        );
        break;
      case 'tool-call-delta':
        yield delta(`{"tool_calls":[{"index":${event.index},"function":{"arguments":${JSON.stringify(event.argumentsDelta)}}}]}`);
        break;
      case 'finish': {
        const reason = openaiFinishReason(event.reason);
        yield completion
          ? `${head}{"index":0,"text":"","logprobs":null,"finish_reason":"${reason}"}]${tail}`
          : `${head}{"index":0,"delta":{},"logprobs":null,"finish_reason":"${reason}"}]${tail}`;
        break;
      }
      case 'usage':
        mergeUsage(usage, event.usage);
        break;
      case 'error':
        yield renderStreamError(event.code, event.message);
        return;
      default:
        break;
    }
  }
  if (options.includeUsage) {
    const rendered = renderUsage(usage);
    if (rendered !== undefined) yield `${head}],"usage":${rendered}}\n\n`;
  }
  yield 'data: [DONE]\n\n';
}

/**
 * An error after the stream began: OpenAI's SDKs raise an APIError for a data frame holding `error`
 * (openai-node `Stream`), so the failure reaches the caller instead of a silently short answer.
 */
export function renderStreamError(code: string, message: string): string {
  const type = isErrorCode(code) ? ERROR_CATALOG[code].openaiType : 'server_error';
  return `data: ${JSON.stringify({ error: { message, type, param: null, code } })}\n\n`;
}
