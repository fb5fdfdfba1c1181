import { UpstreamError } from '../../errors/upstream-error.js';
import type { StreamEvent } from '../../spec/stream.js';
import { errorEvent, runConverter } from '../stream-runner.js';
import type { Usage } from '../../spec/usage.js';
import { readSse } from '../../util/sse.js';
import { convertPart } from './convert-response.js';
import { convertUsage } from './convert-usage.js';
import { errorFromBody } from './errors.js';
import { mapFinishReason } from './map-finish-reason.js';
import type { ErrorBody, GenerateContentResponse } from './wire-types.js';

/** One SSE message of `streamGenerateContent?alt=sse`: a GenerateContentResponse, or an error envelope. */
export type StreamChunk = { kind: 'response'; body: GenerateContentResponse } | { kind: 'error'; error: UpstreamError };

/** Parses the SSE body into chunks; a `data:` that is not JSON is a protocol failure. */
export async function* readChunks(body: AsyncIterable<Uint8Array>): AsyncGenerator<StreamChunk> {
  for await (const message of readSse(body)) {
    let value: unknown;
    try {
      value = JSON.parse(message.data);
    } catch (cause) {
      throw new UpstreamError({ kind: 'protocol', message: 'Gemini stream sent a data line that is not JSON', cause });
    }
    if (typeof value !== 'object' || value === null) {
      throw new UpstreamError({ kind: 'protocol', message: 'Gemini stream sent a data line that is not an object' });
    }
    if ('error' in value) yield { kind: 'error', error: errorFromBody(value as ErrorBody) };
    else yield { kind: 'response', body: value as GenerateContentResponse };
  }
}

/**
 * Gemini stream chunks → canonical events. Each chunk is a whole GenerateContentResponse holding the new
 * parts only. Function calls arrive whole, never split across chunks, so each becomes tool-call-start, one
 * tool-call-delta with the full JSON arguments, and tool-call-end. usageMetadata repeats (cumulative) on
 * chunks and is final on the last; finishReason comes on the last candidate chunk. Both are emitted once,
 * when the stream ends, so `STOP` can become `tool-calls` when the turn held function calls.
 */
export class GeminiStreamConverter {
  readonly #requestId: string;
  readonly #model: string;
  #started = false;
  #nextTool = 0;
  #finishReason: string | undefined;
  #blockReason: string | undefined;
  #usage: Usage | undefined;

  constructor(requestId: string, model: string) {
    this.#requestId = requestId;
    this.#model = model;
  }

  convert(chunk: StreamChunk): StreamEvent[] {
    if (chunk.kind === 'error') return [errorEvent(chunk.error)];
    const body = chunk.body;
    const out: StreamEvent[] = [];
    if (!this.#started) {
      this.#started = true;
      out.push({ type: 'response-start', id: body.responseId ?? this.#requestId, model: body.modelVersion ?? this.#model });
    }
    const candidate = body.candidates?.[0];
    for (const part of candidate?.content?.parts ?? []) {
      for (const block of convertPart(part)) {
        if (block.type === 'text') out.push({ type: 'text-delta', text: block.text });
        else if (block.type === 'reasoning') {
          out.push(block.signature === undefined ? { type: 'reasoning-delta', text: block.text } : { type: 'reasoning-delta', text: block.text, signature: block.signature });
        } else if (block.type === 'tool-use') {
          const index = this.#nextTool++;
          out.push({ type: 'tool-call-start', index, id: block.id, name: block.name });
          out.push({ type: 'tool-call-delta', index, argumentsDelta: JSON.stringify(block.input) });
          out.push({ type: 'tool-call-end', index });
        }
      }
    }
    if (candidate?.finishReason !== undefined) this.#finishReason = candidate.finishReason;
    if (body.promptFeedback?.blockReason !== undefined) this.#blockReason = body.promptFeedback.blockReason;
    if (body.usageMetadata !== undefined) this.#usage = convertUsage(body.usageMetadata);
    return out;
  }

  /** The body ended: the finish reason, then the final usage; a stream without a finish reason was cut. */
  end(): StreamEvent[] {
    const out: StreamEvent[] = [];
    if (this.#finishReason !== undefined) {
      out.push({ type: 'finish', reason: mapFinishReason(this.#finishReason, this.#nextTool > 0), raw: this.#finishReason });
    } else if (this.#blockReason !== undefined) {
      out.push({ type: 'finish', reason: 'content-filter', raw: this.#blockReason });
    }
    if (this.#usage !== undefined) out.push({ type: 'usage', usage: this.#usage });
    if (out[0]?.type !== 'finish') {
      out.push(errorEvent(new UpstreamError({ kind: 'protocol', message: 'Gemini stream ended without a finish reason' })));
    }
    return out;
  }
}

/** Runs the converter over the parsed chunks (src/providers/stream-runner.ts). */
export function convertStream(chunks: AsyncIterable<StreamChunk>, converter: GeminiStreamConverter): AsyncGenerator<StreamEvent[]> {
  return runConverter(chunks, converter);
}
