import type { ServerResponse } from 'node:http';
import type { Emission, FinishReason } from './output-plan.js';
import { chatChunk, completionChunk, usageChunk, type ResponseHeader, type Usage } from './response-shapes.js';

/**
 * Writes one request's server-sent events as OpenAI streams them: chat starts with a `role` delta, then
 * content deltas, or for a tool call a first delta with `id`, `type`, `function.name` and empty `arguments`
 * followed by argument fragments at the same `index`; then a chunk with `finish_reason`, then (with
 * `stream_options.include_usage`) a usage chunk with `choices: []`, then `data: [DONE]`.
 */
export class StreamWriter {
  #res: ServerResponse;
  #header: ResponseHeader;
  #endpoint: 'chat' | 'completions';
  #includeUsage: boolean;
  #started = false;

  constructor(res: ServerResponse, header: ResponseHeader, endpoint: 'chat' | 'completions', includeUsage: boolean) {
    this.#res = res;
    this.#header = header;
    this.#endpoint = endpoint;
    this.#includeUsage = includeUsage;
  }

  open(): void {
    this.#res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
    this.#res.flushHeaders();
  }

  #send(chunk: Record<string, unknown>): void {
    this.#res.write(`data: ${JSON.stringify(chunk)}\n\n`);
  }

  #start(): void {
    if (this.#started) return;
    this.#started = true;
    if (this.#endpoint === 'chat') this.#send(chatChunk(this.#header, { role: 'assistant', content: '' }, null, this.#includeUsage));
  }

  emit(emissions: readonly Emission[]): void {
    this.#start();
    if (this.#endpoint === 'completions') {
      const text = emissions.map((e) => (e.kind === 'tool-header' ? '' : e.text)).join('');
      if (text !== '') this.#send(completionChunk(this.#header, text, null, this.#includeUsage));
      return;
    }
    for (const e of emissions) {
      if (e.kind === 'text') {
        if (e.text !== '') this.#send(chatChunk(this.#header, { content: e.text }, null, this.#includeUsage));
      } else if (e.kind === 'tool-header') {
        const call = { index: 0, id: e.id, type: 'function', function: { name: e.name, arguments: '' } };
        this.#send(chatChunk(this.#header, { tool_calls: [call] }, null, this.#includeUsage));
      } else {
        this.#send(chatChunk(this.#header, { tool_calls: [{ index: 0, function: { arguments: e.text } }] }, null, this.#includeUsage));
      }
    }
  }

  /** An error after the stream opened: vLLM sends it as a `data:` event, then `[DONE]`. */
  fail(body: unknown): void {
    this.#res.write(`data: ${JSON.stringify(body)}\n\n`);
    this.#res.end('data: [DONE]\n\n');
  }

  finish(finishReason: FinishReason, u: Usage): void {
    this.#start();
    if (this.#endpoint === 'chat') {
      this.#send(chatChunk(this.#header, {}, finishReason, this.#includeUsage));
      if (this.#includeUsage) this.#send(usageChunk(this.#header, 'chat.completion.chunk', u));
    } else {
      this.#send(completionChunk(this.#header, '', finishReason, this.#includeUsage));
      if (this.#includeUsage) this.#send(usageChunk(this.#header, 'text_completion', u));
    }
    this.#res.end('data: [DONE]\n\n');
  }
}
