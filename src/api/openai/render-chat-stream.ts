import type { StreamEvent, StreamRenderer } from '../../spec/stream.js';
import type { Usage } from '../../spec/usage.js';
import { ERROR_CATALOG, isErrorCode } from '../../errors/catalog.js';
import { toGatewayError } from '../../errors/render.js';
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
 * `"usage":null`, as OpenAI sends. The chunk's head and tail are built once per stream, not per token.
 */
export class ChatStreamRenderer implements StreamRenderer {
  readonly #completion: boolean;
  readonly #includeUsage: boolean;
  /** `data: {"id":…,"object":…,"created":…,"model":…,"choices":[` */
  readonly #head: string;
  /** `}\n\n`, or `,"usage":null}\n\n` when the client asked for usage. */
  readonly #tail: string;
  readonly #usage: Usage = { inputTokens: undefined, cachedInputTokens: undefined, cacheWriteTokens: undefined, outputTokens: undefined, reasoningTokens: undefined };
  #roleSent: boolean;
  #done = false;

  constructor(options: StreamRenderOptions) {
    this.#completion = options.kind === 'completion';
    this.#includeUsage = options.includeUsage;
    this.#head =
      `data: {"id":${JSON.stringify(options.id)},"object":"${this.#completion ? 'text_completion' : 'chat.completion.chunk'}",` +
      `"created":${options.created},"model":${JSON.stringify(options.model)},"choices":[`;
    this.#tail = options.includeUsage ? ',"usage":null}\n\n' : '}\n\n';
    this.#roleSent = this.#completion;
  }

  get done(): boolean {
    return this.#done;
  }

  push(event: StreamEvent): string {
    if (this.#done) return '';
    let out = '';
    if (!this.#roleSent && event.type !== 'usage' && event.type !== 'error') {
      this.#roleSent = true;
      out = this.#delta('{"role":"assistant","content":""}');
    }
    switch (event.type) {
      case 'text-delta':
        return out + this.#delta(this.#completion ? JSON.stringify(event.text) : `{"content":${JSON.stringify(event.text)}}`);
      case 'reasoning-delta':
        return this.#completion ? out : out + this.#delta(`{"reasoning_content":${JSON.stringify(event.text)}}`);
      case 'tool-call-start':
        return (
          out +
          this.#delta(`{"tool_calls":[{"index":${event.index},"id":${JSON.stringify(event.id)},"type":"function","function":{"name":${JSON.stringify(event.name)},"arguments":""}}]}`)
        );
      case 'tool-call-delta':
        return out + this.#delta(`{"tool_calls":[{"index":${event.index},"function":{"arguments":${JSON.stringify(event.argumentsDelta)}}}]}`);
      case 'finish': {
        const reason = openaiFinishReason(event.reason);
        return (
          out +
          (this.#completion
            ? `${this.#head}{"index":0,"text":"","logprobs":null,"finish_reason":"${reason}"}]${this.#tail}`
            : `${this.#head}{"index":0,"delta":{},"logprobs":null,"finish_reason":"${reason}"}]${this.#tail}`)
        );
      }
      case 'usage':
        mergeUsage(this.#usage, event.usage);
        return out;
      case 'error':
        this.#done = true;
        return out + renderStreamError(event.code, event.message);
      default:
        return out;
    }
  }

  end(): string {
    if (this.#done) return '';
    this.#done = true;
    let out = '';
    if (this.#includeUsage) {
      const rendered = renderUsage(this.#usage);
      if (rendered !== undefined) out = `${this.#head}],"usage":${rendered}}\n\n`;
    }
    return `${out}data: [DONE]\n\n`;
  }

  /**
   * An SSE comment (`: keep-alive`), which every SSE client skips (WHATWG HTML §9.2.6: lines starting with
   * a colon are ignored), so a proxy in between sees bytes while the upstream is silent.
   */
  heartbeat(): string {
    return this.#done ? '' : ': keep-alive\n\n';
  }

  fail(error: unknown): string {
    if (this.#done) return '';
    this.#done = true;
    const failure = toGatewayError(error);
    return renderStreamError(failure.code, failure.message);
  }

  #delta(json: string): string {
    return this.#completion
      ? `${this.#head}{"index":0,"text":${json},"logprobs":null,"finish_reason":null}]${this.#tail}`
      : `${this.#head}{"index":0,"delta":${json},"logprobs":null,"finish_reason":null}]${this.#tail}`;
  }
}

/**
 * An error after the stream began: OpenAI's SDKs raise an APIError for a data frame holding `error`
 * (openai-node `Stream`), so the failure reaches the caller instead of a silently short answer.
 */
export function renderStreamError(code: string, message: string): string {
  const type = isErrorCode(code) ? ERROR_CATALOG[code].openaiType : 'server_error';
  return `data: ${JSON.stringify({ error: { message, type, param: null, code } })}\n\n`;
}
