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
