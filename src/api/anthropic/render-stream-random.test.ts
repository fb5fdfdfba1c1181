import { test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import type { StreamEvent } from '../../spec/stream.js';
import { Random } from '../../util/random.js';
import { SseParser } from '../../util/sse.js';
import { MessagesStreamRenderer } from './render-stream.js';
import { renderFrames } from '../../../test/support/event-batches.js';

/**
 * Randomised check of the block derivation: seeded random responses (text, thinking with and without
 * signatures, redacted thinking, tool calls whose JSON arrives in random fragments) are emitted as canonical
 * events in the orders real adapters produce — Anthropic's (each tool ends before the next starts), the
 * OpenAI-compatible adapter's (all tool ends at finish) and interleaved parallel calls — rendered, and fed
 * to the real @anthropic-ai/sdk. Its accumulated message must equal the response, and the frames must obey
 * Anthropic's block discipline.
 */
type Segment =
  | { kind: 'text'; text: string }
  | { kind: 'thinking'; text: string; signature?: string }
  | { kind: 'redacted'; data: string }
  | { kind: 'tool'; id: string; name: string; input: Record<string, unknown> };

const WORDS = ['route', ' the', ' request', ' to', ' l40s', '-west', ' — ', 'naïve', ' 🚀', '\n', ' "quoted"', ' {json}'];

function words(rng: Random, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += WORDS[rng.int(WORDS.length)];
  return out;
}

function split(rng: Random, text: string): string[] {
  const parts: string[] = [];
  let i = 0;
  while (i < text.length) {
    const n = 1 + rng.int(6);
    parts.push(text.slice(i, i + n));
    i += n;
  }
  return parts;
}

function plan(rng: Random, toolsLast: boolean): Segment[] {
  const segments: Segment[] = [];
  const count = 1 + rng.int(5);
  for (let i = 0; i < count; i++) {
    const pick = rng.int(toolsLast ? 3 : 4);
    if (pick === 0) segments.push({ kind: 'text', text: words(rng, 1 + rng.int(6)) });
    else if (pick === 1) {
      const segment: Segment = { kind: 'thinking', text: words(rng, 1 + rng.int(6)) };
      if (rng.next() < 0.6) segment.signature = `sig${rng.int(1e6)}`;
      segments.push(segment);
    } else if (pick === 2) segments.push({ kind: 'redacted', data: `enc${rng.int(1e6)}` });
    else segments.push(tool(rng, segments.length));
  }
  if (toolsLast) for (let i = rng.int(4); i > 0; i--) segments.push(tool(rng, segments.length));
  return segments;
}

function tool(rng: Random, n: number): Segment {
  return { kind: 'tool', id: `toolu_${n}_${rng.int(1e6)}`, name: `fn${rng.int(3)}`, input: { q: words(rng, 2), n: rng.int(100), nested: { ok: rng.next() < 0.5 } } };
}

type Mode = 'sequential' | 'ends-at-finish' | 'interleaved';

function events(rng: Random, segments: Segment[], mode: Mode): StreamEvent[] {
  const out: StreamEvent[] = [{ type: 'response-start', id: 'up', model: 'up' }];
  let toolIndex = 0;
  const pendingTools: Array<{ index: number; parts: string[]; segment: Extract<Segment, { kind: 'tool' }> }> = [];
  for (const segment of segments) {
    if (segment.kind === 'text') for (const part of split(rng, segment.text)) out.push({ type: 'text-delta', text: part });
    else if (segment.kind === 'thinking') {
      for (const part of split(rng, segment.text)) out.push({ type: 'reasoning-delta', text: part });
      if (segment.signature !== undefined) out.push({ type: 'reasoning-delta', text: '', signature: segment.signature });
    } else if (segment.kind === 'redacted') out.push({ type: 'reasoning-delta', text: '', redactedData: segment.data });
    else {
      const index = toolIndex++;
      const parts = split(rng, JSON.stringify(segment.input));
      if (mode === 'sequential') {
        out.push({ type: 'tool-call-start', index, id: segment.id, name: segment.name });
        for (const part of parts) out.push({ type: 'tool-call-delta', index, argumentsDelta: part });
        out.push({ type: 'tool-call-end', index });
      } else pendingTools.push({ index, parts, segment });
    }
  }
  if (mode === 'ends-at-finish') {
    for (const { index, parts, segment } of pendingTools) {
      out.push({ type: 'tool-call-start', index, id: segment.id, name: segment.name });
      for (const part of parts) out.push({ type: 'tool-call-delta', index, argumentsDelta: part });
    }
  } else if (mode === 'interleaved') {
    for (const { index, segment } of pendingTools) out.push({ type: 'tool-call-start', index, id: segment.id, name: segment.name });
    const queues = pendingTools.map((t) => ({ index: t.index, parts: [...t.parts] }));
    while (queues.some((q) => q.parts.length > 0)) {
      const live = queues.filter((q) => q.parts.length > 0);
      const q = live[rng.int(live.length)] as (typeof live)[number];
      out.push({ type: 'tool-call-delta', index: q.index, argumentsDelta: q.parts.shift() as string });
    }
  }
  if (mode !== 'sequential') for (const { index } of pendingTools) out.push({ type: 'tool-call-end', index });
  out.push({ type: 'finish', reason: toolIndex > 0 ? 'tool-calls' : 'stop' });
  out.push({ type: 'usage', usage: { inputTokens: 100, cachedInputTokens: 40, cacheWriteTokens: 0, outputTokens: 7, reasoningTokens: undefined } });
  return out;
}

/** The content Anthropic would have sent: adjacent text merges, thinking merges until it is signed. */
function expected(segments: Segment[]): unknown[] {
  const out: Array<Record<string, unknown>> = [];
  for (const segment of segments) {
    const last = out.at(-1);
    if (segment.kind === 'text') {
      if (last?.['type'] === 'text') last['text'] = String(last['text']) + segment.text;
      else out.push({ type: 'text', text: segment.text });
    } else if (segment.kind === 'thinking') {
      if (last?.['type'] === 'thinking' && last['signature'] === '') {
        last['thinking'] = String(last['thinking']) + segment.text;
        last['signature'] = segment.signature ?? '';
      } else out.push({ type: 'thinking', thinking: segment.text, signature: segment.signature ?? '' });
    } else if (segment.kind === 'redacted') out.push({ type: 'redacted_thinking', data: segment.data });
    else out.push({ type: 'tool_use', id: segment.id, name: segment.name, input: segment.input });
  }
  return out;
}

function checkDiscipline(frames: string[]): void {
  const parser = new SseParser();
  let open: { index: number; type: string } | undefined;
  let next = 0;
  let starts = 0;
  for (const message of frames.flatMap((f) => parser.push(f))) {
    const data = JSON.parse(message.data) as Record<string, unknown>;
    assert.equal(message.event, data['type']);
    if (message.event === 'message_start') assert.equal(++starts, 1, 'one message_start');
    if (message.event === 'content_block_start') {
      assert.equal(open, undefined, 'one block at a time');
      assert.equal(data['index'], next++, 'indices count up from 0');
      open = { index: data['index'] as number, type: (data['content_block'] as { type: string }).type };
    } else if (message.event === 'content_block_delta') {
      assert.equal(data['index'], open?.index);
      const kind = (data['delta'] as { type: string }).type;
      const allowed: Record<string, string[]> = {
        text: ['text_delta'],
        thinking: ['thinking_delta', 'signature_delta'],
        tool_use: ['input_json_delta'],
      };
      assert.ok(allowed[open?.type ?? '']?.includes(kind), `${kind} inside a ${open?.type} block`);
    } else if (message.event === 'content_block_stop') {
      assert.equal(data['index'], open?.index);
      open = undefined;
    }
  }
  // An error frame ends the stream where it stands, as Anthropic's do (no content_block_stop before it).
  if (!frames.at(-1)?.startsWith('event: error')) assert.equal(open, undefined, 'every block closed');
}

async function sdkContent(frames: string[]): Promise<unknown[]> {
  const client = new Anthropic({
    apiKey: 'k',
    baseURL: 'http://gateway.test',
    maxRetries: 0,
    fetch: async () => new Response(frames.join(''), { headers: { 'content-type': 'text/event-stream' } }),
  });
  const message = await client.messages.stream({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }).finalMessage();
  assert.equal(message.usage.cache_read_input_tokens, 40);
  assert.equal(message.usage.input_tokens, 60);
  return message.content;
}

for (const mode of ['sequential', 'ends-at-finish', 'interleaved'] as const) {
  test(`random responses, ${mode} tool events: the SDK rebuilds exactly the response`, async () => {
    const rng = new Random(mode.length * 7919);
    for (let round = 0; round < 80; round++) {
      const segments = plan(rng, mode !== 'sequential');
      const frames = renderFrames(new MessagesStreamRenderer({ model: 'm', id: 'msg_x' }), events(rng, segments, mode));
      checkDiscipline(frames);
      assert.deepEqual(await sdkContent(frames), expected(segments), `round ${round}`);
    }
  });
}

test('arbitrary event orders still give a well-formed stream the SDK accepts', async () => {
  const rng = new Random(31337);
  const pick = (): StreamEvent => {
    const index = rng.int(3);
    switch (rng.int(11)) {
      case 0:
        return { type: 'response-start', id: 'u', model: 'u' };
      case 1:
        return { type: 'text-delta', text: words(rng, 1) };
      case 2:
        return { type: 'reasoning-delta', text: rng.next() < 0.5 ? '' : words(rng, 1), ...(rng.next() < 0.3 ? { signature: 's' } : {}) };
      case 3:
        return { type: 'reasoning-delta', text: '', redactedData: 'r' };
      case 4:
        return { type: 'tool-call-start', index, id: rng.next() < 0.2 ? '' : `t${index}`, name: 'f' };
      case 5:
        return { type: 'tool-call-delta', index, argumentsDelta: rng.next() < 0.5 ? '{"a":1}' : '{"a"' };
      case 6:
        return { type: 'tool-call-end', index };
      case 7:
        return { type: 'usage', usage: { inputTokens: rng.int(100), cachedInputTokens: undefined, cacheWriteTokens: undefined, outputTokens: rng.int(50), reasoningTokens: undefined } };
      case 8:
        return { type: 'finish', reason: rng.next() < 0.5 ? 'stop' : 'tool-calls' };
      case 9:
        return rng.next() < 0.1 ? { type: 'error', code: 'upstream_error', message: 'boom' } : { type: 'text-delta', text: '' };
      default:
        return { type: 'text-delta', text: 'x' };
    }
  };
  let errors = 0;
  for (let round = 0; round < 150; round++) {
    const list = Array.from({ length: 1 + rng.int(25) }, pick);
    const frames = renderFrames(new MessagesStreamRenderer({ model: 'm', id: 'msg_x' }), list);
    checkDiscipline(frames);
    const endsInError = frames.at(-1)?.startsWith('event: error') === true;
    if (endsInError) {
      errors++;
      await assert.rejects(sdkContent(frames));
    } else {
      assert.ok(frames.at(-1)?.startsWith('event: message_stop'), `round ${round}: ends with message_stop`);
      await sdkContentUnchecked(frames);
    }
  }
  assert.ok(errors > 0 && errors < 150);
});

async function sdkContentUnchecked(frames: string[]): Promise<void> {
  const client = new Anthropic({
    apiKey: 'k',
    baseURL: 'http://gateway.test',
    maxRetries: 0,
    fetch: async () => new Response(frames.join(''), { headers: { 'content-type': 'text/event-stream' } }),
  });
  await client.messages.stream({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }).finalMessage();
}
