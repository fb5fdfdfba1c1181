import type { FinishReason } from './finish.js';
import type { Usage } from './usage.js';

/**
 * One vocabulary of stream events, named noun-verb (after the AI SDK's stream parts). Adapters turn an
 * upstream stream into these; surfaces turn these into their own SSE dialect. Block boundaries that a
 * dialect needs (Anthropic's content_block_start/stop) are derived by the surface from the order of events.
 *
 * `raw` keeps the provider's original value where normalising loses information.
 */
export type StreamEvent =
  | { type: 'response-start'; id: string; model: string }
  | { type: 'text-delta'; text: string }
  | { type: 'reasoning-delta'; text: string; signature?: string; redactedData?: string }
  /** A tool call begins. `index` numbers the response's tool calls from 0 in order of appearance. */
  | { type: 'tool-call-start'; index: number; id: string; name: string }
  /** A fragment of the tool call's JSON arguments, as a string; fragments concatenate to the full JSON. */
  | { type: 'tool-call-delta'; index: number; argumentsDelta: string }
  | { type: 'tool-call-end'; index: number }
  /** Usage so far; later events supersede earlier ones field by field (known fields win over unknown). */
  | { type: 'usage'; usage: Usage }
  | { type: 'finish'; reason: FinishReason; raw?: string; stopSequence?: string }
  /** The upstream failed after the stream began. Surfaces end the client stream with an error event. */
  | { type: 'error'; code: string; message: string; status?: number };

export type StreamEventType = StreamEvent['type'];

/**
 * A stream of canonical events, delivered in batches: each batch holds the events decoded from one read of
 * the upstream body (often several tokens, and at the end finish, usage and all). Consumers handle a batch
 * synchronously and await only between batches, so a stream costs one async step per network read rather
 * than one per event per stage (transport → decoder → accounting → renderer), which dominated the
 * gateway's streaming CPU. A batch may be empty; an `error` event is always the last of its stream.
 */
export type EventBatches = AsyncIterable<readonly StreamEvent[]>;

/**
 * A surface's stream dialect: canonical events in, SSE frames out (strings, possibly several frames or
 * none), synchronously. Used once per stream, in order: `push` for each event until `done`, then `end`
 * (the upstream finished) or `fail` (the upstream broke off with an exception).
 */
export interface StreamRenderer {
  push(event: StreamEvent): string;
  end(): string;
  fail(error: unknown): string;
  /** True once the stream's last frame (its end, or an error frame) has been rendered. */
  readonly done: boolean;
  /**
   * A keep-alive frame for while the upstream is silent, or '' when none is due (Anthropic's `ping`,
   * written only once `message_start` is out). Absent when the dialect has none.
   */
  heartbeat?(): string;
}
