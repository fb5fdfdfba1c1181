/**
 * Test helpers for event batches (spec/stream.ts): flatten what an adapter streams, and run a surface's
 * StreamRenderer over events the way the stream phase does.
 */
import type { EventBatches, StreamEvent, StreamRenderer } from '../../src/spec/stream.js';

/** Every event of a batched stream, in order. */
export async function flatten(batches: EventBatches): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const batch of batches) out.push(...batch);
  return out;
}

/**
 * The frames a renderer writes for `events`, one string per SSE frame: pushed until it is done, then
 * `fail(failWith)` when given (an upstream that broke off with an exception), else `end()`.
 */
export function renderFrames(renderer: StreamRenderer, events: Iterable<StreamEvent>, failWith?: unknown): string[] {
  let text = '';
  for (const event of events) {
    text += renderer.push(event);
    if (renderer.done) break;
  }
  if (!renderer.done) text += failWith === undefined ? renderer.end() : renderer.fail(failWith);
  return splitFrames(text);
}

/** SSE text → its frames (each ends with a blank line; the gateway's frames hold no blank line inside). */
export function splitFrames(text: string): string[] {
  return text === '' ? [] : text.split(/(?<=\n\n)/);
}
