import type { StreamEvent } from '../../spec/stream.js';
import type { Usage } from '../../spec/usage.js';
import { mergeUsage } from '../../providers/anthropic/convert-usage.js';
import { blockDelta, frame, messageDeltaFrame, messageStartFrame, textualDelta } from './frames.js';
import { errorFrameForEvent, errorFrameForException } from './stream-error.js';
import { mintToolUseId } from './message-id.js';
import { isCompleteJson, isJsonObject, StreamAbort } from './stream-checks.js';

/**
 * The state machine behind `MessagesStreamRenderer`: canonical events in, Anthropic SSE frames out
 * (https://docs.anthropic.com/en/docs/build-with-claude/streaming). Anthropic streams one content block at
 * a time — start, deltas, stop — with indices equal to positions in the final `content` array, so block
 * boundaries are derived here from the order of canonical events:
 * - a text delta after anything but text opens a text block; a reasoning delta after anything but an unsigned
 *   thinking block opens a thinking block (never a thinking delta inside a text block: LiteLLM #32357);
 * - a tool call is one tool_use block. A second call that starts while the first is open closes the first
 *   if its arguments are already complete JSON (OpenAI-style streams send calls one after another and end
 *   them all at finish); otherwise (interleaved calls) it is held back and replayed once the first closes,
 *   so every tool keeps its own index and arguments (Portkey #1275);
 * - `message_start` is written once (LiteLLM #32357 saw two), after the upstream's first usage if that comes
 *   right away, so its prompt and cache counts reach the client.
 */
interface ToolState {
  id?: string;
  name?: string;
  /** Arguments received and not yet written (while queued). */
  buffered: string;
  /** All arguments written so far (while open). */
  written: string;
  ended: boolean;
  /** queued: waiting for the open tool to end; open: the current block; closed: done. */
  phase: 'queued' | 'open' | 'closed';
}

type OpenBlock =
  | { kind: 'text'; index: number }
  | { kind: 'thinking'; index: number; signed: boolean }
  | { kind: 'tool'; index: number; tool: number };

export interface StreamWriterOptions {
  model: string;
  id: string;
  /** The gateway's own prompt count, shown in message_start when the upstream has not reported one yet. */
  inputTokens?: number | (() => number);
}

export class MessageStreamWriter {
  #options: StreamWriterOptions;
  #started = false;
  #pendingStart = false;
  #usage: Usage = { inputTokens: undefined, cachedInputTokens: undefined, cacheWriteTokens: undefined, outputTokens: undefined, reasoningTokens: undefined };
  #nextIndex = 0;
  #open: OpenBlock | undefined;
  #tools = new Map<number, ToolState>();
  #queue: number[] = [];
  #finish: Extract<StreamEvent, { type: 'finish' }> | undefined;
  #done = false;

  constructor(options: StreamWriterOptions) {
    this.#options = options;
  }

  /** True once message_start has been written. */
  get started(): boolean {
    return this.#started;
  }

  /** True once the stream has ended (message_stop or an error frame was written). */
  get done(): boolean {
    return this.#done;
  }

  push(event: StreamEvent): string[] {
    if (this.#done) return [];
    const out: string[] = [];
    return this.#guard(out, () => this.#push(event, out));
  }

  /** The upstream iterator completed: close blocks, then message_delta and message_stop. */
  end(): string[] {
    if (this.#done) return [];
    const out: string[] = [];
    return this.#guard(out, () => this.#end(out));
  }

  /** Runs a step; a stream that cannot go on validly (see StreamAbort) ends with the error frame instead. */
  #guard(out: string[], step: () => void): string[] {
    try {
      step();
    } catch (error) {
      if (!(error instanceof StreamAbort)) throw error;
      this.#done = true;
      out.push(error.frame);
    }
    return out;
  }

  #push(event: StreamEvent, out: string[]): void {
    switch (event.type) {
      case 'response-start':
        if (!this.#started) this.#pendingStart = true;
        return;
      case 'usage':
        this.#usage = mergeUsage(this.#usage, event.usage);
        if (!this.#started && this.#pendingStart) this.#start(out);
        return;
      case 'error':
        this.#done = true;
        out.push(errorFrameForEvent(event.code, event.message, event.status));
        return;
      case 'finish':
        this.#start(out);
        this.#finish = event;
        return;
      default:
        this.#start(out);
        this.#content(event, out);
        return;
    }
  }

  #end(out: string[]): void {
    if (this.#finish === undefined) {
      throw new StreamAbort(errorFrameForEvent('upstream_error', 'the upstream stream ended without a stop reason'));
    }
    this.#start(out);
    this.#closeOpen(out);
    this.#flushQueue(out, true);
    out.push(messageDeltaFrame(this.#finish, this.#usage));
    out.push(frame('message_stop', {}));
    this.#done = true;
  }

  /** The upstream iterator threw: end with an Anthropic error frame. */
  fail(error: unknown): string[] {
    if (this.#done) return [];
    this.#done = true;
    return [errorFrameForException(error)];
  }

  #start(out: string[]): void {
    if (this.#started) return;
    this.#started = true;
    out.push(messageStartFrame(this.#options.id, this.#options.model, this.#usage, this.#options.inputTokens));
    out.push(frame('ping', {}));
  }

  #content(event: StreamEvent, out: string[]): void {
    switch (event.type) {
      case 'text-delta': {
        if (event.text === '') return;
        if (this.#open?.kind !== 'text') {
          this.#closeOpen(out);
          this.#open = { kind: 'text', index: this.#openBlock(out, { type: 'text', text: '' }) };
        }
        out.push(textualDelta(this.#open.index, 'text_delta', event.text));
        return;
      }
      case 'reasoning-delta': {
        if (event.redactedData !== undefined) {
          this.#closeOpen(out);
          const index = this.#openBlock(out, { type: 'redacted_thinking', data: event.redactedData });
          out.push(frame('content_block_stop', { index }));
          return;
        }
        if (event.text === '' && event.signature === undefined) return;
        if (this.#open?.kind !== 'thinking' || this.#open.signed) {
          this.#closeOpen(out);
          this.#open = {
            kind: 'thinking',
            index: this.#openBlock(out, { type: 'thinking', thinking: '', signature: '' }),
            signed: false,
          };
        }
        if (event.text !== '') out.push(textualDelta(this.#open.index, 'thinking_delta', event.text));
        if (event.signature !== undefined) {
          out.push(blockDelta(this.#open.index, { type: 'signature_delta', signature: event.signature }));
          this.#open.signed = true;
        }
        return;
      }
      case 'tool-call-start': {
        const tool = this.#tool(event.index);
        tool.id = event.id;
        tool.name = event.name;
        const open = this.#open?.kind === 'tool' ? this.#tools.get(this.#open.tool) : undefined;
        if (open !== undefined && !open.ended && !isCompleteJson(open.written)) {
          if (!this.#queue.includes(event.index)) this.#queue.push(event.index);
          return;
        }
        this.#closeOpen(out);
        this.#openTool(event.index, out);
        return;
      }
      case 'tool-call-delta': {
        const tool = this.#tool(event.index);
        if (tool.phase === 'open' && this.#open?.kind === 'tool' && this.#open.tool === event.index) {
          if (event.argumentsDelta !== '') {
            tool.written += event.argumentsDelta;
            out.push(textualDelta(this.#open.index, 'input_json_delta', event.argumentsDelta));
          }
        } else if (tool.phase === 'queued') {
          tool.buffered += event.argumentsDelta;
        }
        return;
      }
      case 'tool-call-end': {
        const tool = this.#tool(event.index);
        tool.ended = true;
        if (this.#open?.kind === 'tool' && this.#open.tool === event.index) {
          this.#closeOpen(out);
          this.#flushQueue(out, false);
        }
        return;
      }
      default:
        return;
    }
  }

  #tool(index: number): ToolState {
    let tool = this.#tools.get(index);
    if (tool === undefined) {
      tool = { buffered: '', written: '', ended: false, phase: 'queued' };
      this.#tools.set(index, tool);
    }
    return tool;
  }

  #openBlock(out: string[], contentBlock: Record<string, unknown>): number {
    const index = this.#nextIndex++;
    out.push(frame('content_block_start', { index, content_block: contentBlock }));
    return index;
  }

  #openTool(toolIndex: number, out: string[]): void {
    const tool = this.#tool(toolIndex);
    this.#queue = this.#queue.filter((i) => i !== toolIndex);
    const id = tool.id === undefined || tool.id === '' ? mintToolUseId() : tool.id;
    const index = this.#openBlock(out, { type: 'tool_use', id, name: tool.name ?? '', input: {} });
    tool.phase = 'open';
    this.#open = { kind: 'tool', index, tool: toolIndex };
    if (tool.buffered !== '') {
      out.push(blockDelta(index, { type: 'input_json_delta', partial_json: tool.buffered }));
      tool.written += tool.buffered;
      tool.buffered = '';
    }
  }

  #closeOpen(out: string[]): void {
    const open = this.#open;
    if (open === undefined) return;
    if (open.kind === 'tool') {
      // Anthropic's tool_use.input is always a JSON object, and the SDK parses the streamed arguments when
      // the block stops: malformed arguments (weak models behind OpenAI-compatible servers produce them)
      // would surface as a client-side SyntaxError. End with an API error that says what happened instead.
      const tool = this.#tools.get(open.tool);
      const written = tool?.written ?? '';
      if (written.trim() !== '' && !isJsonObject(written)) {
        throw new StreamAbort(
          errorFrameForEvent('upstream_error', `the model's arguments for tool "${tool?.name ?? ''}" are not a JSON object: ${written.slice(0, 200)}`),
        );
      }
    }
    out.push(frame('content_block_stop', { index: open.index }));
    if (open.kind === 'tool') {
      const tool = this.#tools.get(open.tool);
      if (tool !== undefined) tool.phase = 'closed';
    }
    this.#open = undefined;
  }

  /** Opens held-back tool calls in order; `all` (end of stream) closes even those that never ended. */
  #flushQueue(out: string[], all: boolean): void {
    while (this.#open === undefined && this.#queue.length > 0) {
      const next = this.#queue[0] as number;
      const tool = this.#tool(next);
      if (tool.id === undefined) {
        this.#queue.shift(); // arguments without a tool-call-start: nothing to attach them to
        continue;
      }
      this.#openTool(next, out);
      if (tool.ended || all) this.#closeOpen(out);
    }
  }
}
