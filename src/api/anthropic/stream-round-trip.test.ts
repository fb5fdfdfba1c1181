import { test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import type { Message } from '@anthropic-ai/sdk/resources/messages';
import { Random } from '../../util/random.js';
import { fromAnthropicStream } from '../../providers/anthropic/convert-stream.js';
import { MessagesStreamRenderer } from './render-stream.js';
import { flatten, renderFrames } from '../../../test/support/event-batches.js';

/**
 * Anthropic wire → adapter → canonical events → surface → Anthropic wire, for seeded random streams cut
 * into random network chunks. The real SDK must accumulate the re-rendered stream into the same message
 * (content, stop reason, usage with cache counts) as the original: the gateway is invisible to an
 * Anthropic client talking to Anthropic through it.
 */
function sse(type: string, body: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...body })}\n\n`;
}

function randomStream(rng: Random): string {
  const cacheRead = rng.next() < 0.5 ? rng.int(20000) : 0;
  const cacheWrite = rng.next() < 0.3 ? rng.int(5000) : 0;
  const input = 1 + rng.int(500);
  const out: string[] = [
    sse('message_start', {
      message: {
        id: 'msg_up',
        type: 'message',
        role: 'assistant',
        model: 'claude-up',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: input,
          cache_creation_input_tokens: cacheWrite,
          cache_read_input_tokens: cacheRead,
          cache_creation: { ephemeral_5m_input_tokens: cacheWrite, ephemeral_1h_input_tokens: 0 },
          output_tokens: 1,
        },
      },
    }),
  ];
  const blocks = 1 + rng.int(5);
  let tools = 0;
  let previous = -1;
  for (let index = 0; index < blocks; index++) {
    // Two adjacent text blocks (Anthropic splits text this way around citations, which the gateway does not
    // support) come out as one: canonical text deltas carry no block boundary. Their text is the same.
    let kind = rng.int(4);
    if (kind === 0 && previous === 0) kind = 3;
    previous = kind;
    if (kind === 0) {
      out.push(sse('content_block_start', { index, content_block: { type: 'text', text: '' } }));
      if (index === 0) out.push(sse('ping', {}));
      for (let i = 1 + rng.int(4); i > 0; i--) out.push(sse('content_block_delta', { index, delta: { type: 'text_delta', text: `t${rng.int(99)} ` } }));
    } else if (kind === 1) {
      out.push(sse('content_block_start', { index, content_block: { type: 'thinking', thinking: '', signature: '' } }));
      for (let i = 1 + rng.int(4); i > 0; i--) out.push(sse('content_block_delta', { index, delta: { type: 'thinking_delta', thinking: `r${rng.int(99)} ` } }));
      out.push(sse('content_block_delta', { index, delta: { type: 'signature_delta', signature: `S${rng.int(1e9)}` } }));
    } else if (kind === 2) {
      out.push(sse('content_block_start', { index, content_block: { type: 'redacted_thinking', data: `R${rng.int(1e9)}` } }));
    } else {
      tools++;
      out.push(sse('content_block_start', { index, content_block: { type: 'tool_use', id: `toolu_${index}`, name: 'f', input: {} } }));
      const json = JSON.stringify({ a: rng.int(10), b: `v${rng.int(99)}`, c: [1, { d: null }] });
      out.push(sse('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: '' } }));
      for (let i = 0; i < json.length; ) {
        const n = 1 + rng.int(7);
        out.push(sse('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: json.slice(i, i + n) } }));
        i += n;
      }
    }
    out.push(sse('content_block_stop', { index }));
  }
  const usage: Record<string, number> = { output_tokens: 1 + rng.int(900) };
  if (rng.next() < 0.5) Object.assign(usage, { input_tokens: input, cache_creation_input_tokens: cacheWrite, cache_read_input_tokens: cacheRead });
  const stopSequence = tools === 0 && rng.next() < 0.2 ? '###' : null;
  out.push(sse('message_delta', { delta: { stop_reason: tools > 0 ? 'tool_use' : stopSequence !== null ? 'stop_sequence' : 'end_turn', stop_sequence: stopSequence }, usage }));
  out.push(sse('message_stop', {}));
  return out.join('');
}

/** Cuts the bytes at random places, as TCP does. */
async function* chunked(rng: Random, text: string): AsyncGenerator<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  for (let i = 0; i < bytes.length; ) {
    const n = 1 + rng.int(300);
    yield bytes.slice(i, i + n);
    i += n;
  }
}

async function sdkMessage(body: string): Promise<Message> {
  const client = new Anthropic({
    apiKey: 'k',
    baseURL: 'http://gateway.test',
    maxRetries: 0,
    fetch: async () => new Response(body, { headers: { 'content-type': 'text/event-stream' } }),
  });
  return client.messages.stream({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }).finalMessage();
}

test('Anthropic → canonical → Anthropic streams accumulate to the same message in the SDK', async () => {
  const rng = new Random(20261122);
  for (let round = 0; round < 60; round++) {
    const original = randomStream(rng);
    const events = await flatten(fromAnthropicStream(chunked(rng, original)));
    const frames = renderFrames(new MessagesStreamRenderer({ model: 'claude-up', id: 'msg_up' }), events);
    const [want, got] = await Promise.all([sdkMessage(original), sdkMessage(frames.join(''))]);
    assert.deepEqual(got.content, want.content, `round ${round}: content`);
    assert.equal(got.stop_reason, want.stop_reason);
    assert.equal(got.stop_sequence, want.stop_sequence);
    for (const key of ['input_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens', 'output_tokens'] as const) {
      assert.equal(got.usage[key], want.usage[key], `round ${round}: usage.${key}`);
    }
  }
});
