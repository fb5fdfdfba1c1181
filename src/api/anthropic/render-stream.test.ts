import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic, { APIError } from '@anthropic-ai/sdk';
import type { Message } from '@anthropic-ai/sdk/resources/messages';
import type { StreamEvent } from '../../spec/stream.js';
import type { Usage } from '../../spec/usage.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { SseParser } from '../../util/sse.js';
import { MessagesStreamRenderer, type RenderStreamOptions } from './render-stream.js';
import { renderFrames } from '../../../test/support/event-batches.js';
import { MessageStreamWriter } from './stream-writer.js';

const OPTIONS: RenderStreamOptions = { model: 'claude-public', id: 'msg_stream' };

function usage(partial: Partial<Usage>): Usage {
  return {
    inputTokens: undefined,
    cachedInputTokens: undefined,
    cacheWriteTokens: undefined,
    outputTokens: undefined,
    reasoningTokens: undefined,
    ...partial,
  };
}

/** The frames for `events`; `failWith`: the upstream then broke off with this exception. */
async function render(events: StreamEvent[], options = OPTIONS, failWith?: unknown): Promise<string[]> {
  return renderFrames(new MessagesStreamRenderer(options), events, failWith);
}

/** Parsed frames: [event name, data]. Also checks each frame's event name equals its data's `type`. */
function parse(frames: string[]): Array<[string, Record<string, unknown>]> {
  const parser = new SseParser();
  return frames.flatMap((frame) =>
    parser.push(frame).map((message): [string, Record<string, unknown>] => {
      const data = JSON.parse(message.data) as Record<string, unknown>;
      assert.equal(message.event, data['type'], 'event name equals data.type');
      return [message.event ?? '', data];
    }),
  );
}

/** Feeds the frames to the real @anthropic-ai/sdk (one network chunk per frame) and returns its final message. */
async function sdkFinalMessage(frames: string[]): Promise<Message> {
  const encoder = new TextEncoder();
  const client = new Anthropic({
    apiKey: 'test-key',
    baseURL: 'http://gateway.test',
    maxRetries: 0,
    fetch: async () => {
      let i = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          const frame = frames[i++];
          if (frame === undefined) controller.close();
          else controller.enqueue(encoder.encode(frame));
        },
      });
      return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
    },
  });
  const stream = client.messages.stream({ model: 'claude-public', max_tokens: 100, messages: [{ role: 'user', content: 'Hi' }] });
  return stream.finalMessage();
}

describe('MessagesStreamRenderer', () => {
  test('a text stream: exact event sequence, and the SDK accumulates it', async () => {
    const frames = await render([
      { type: 'response-start', id: 'up-1', model: 'upstream' },
      { type: 'usage', usage: usage({ inputTokens: 25, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 1 }) },
      { type: 'text-delta', text: 'Hello' },
      { type: 'text-delta', text: '' },
      { type: 'text-delta', text: ', world' },
      { type: 'usage', usage: usage({ outputTokens: 15 }) },
      { type: 'finish', reason: 'stop', raw: 'end_turn' },
    ]);
    const events = parse(frames);
    assert.deepEqual(
      events.map(([name]) => name),
      ['message_start', 'ping', 'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop'],
    );
    assert.deepEqual(events[0]?.[1], {
      type: 'message_start',
      message: {
        id: 'msg_stream',
        type: 'message',
        role: 'assistant',
        model: 'claude-public',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: 25,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
          cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
          output_tokens: 1,
        },
      },
    });
    assert.deepEqual(events[6]?.[1], {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { input_tokens: 25, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 15 },
    });
    assert.equal(frames[0], `event: message_start\ndata: ${JSON.stringify(events[0]?.[1])}\n\n`);

    const message = await sdkFinalMessage(frames);
    assert.equal(message.id, 'msg_stream');
    assert.deepEqual(message.content, [{ type: 'text', text: 'Hello, world' }]);
    assert.equal(message.stop_reason, 'end_turn');
    assert.equal(message.usage.output_tokens, 15);
    assert.equal(message.usage.input_tokens, 25);
  });

  test('thinking, text and streamed tool JSON accumulate into the right final message', async () => {
    const frames = await render([
      { type: 'response-start', id: 'up', model: 'up' },
      { type: 'reasoning-delta', text: 'The user wants ' },
      { type: 'reasoning-delta', text: 'the weather.' },
      { type: 'reasoning-delta', text: '', signature: 'EqQBsig' },
      { type: 'reasoning-delta', text: '', redactedData: 'REDACTED' },
      { type: 'text-delta', text: 'Checking both cities.' },
      { type: 'tool-call-start', index: 0, id: 'toolu_a', name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"city":' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: ' "Oslo"}' },
      { type: 'tool-call-end', index: 0 },
      { type: 'tool-call-start', index: 1, id: 'toolu_b', name: 'get_weather' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{"city": "Lima"}' },
      { type: 'tool-call-end', index: 1 },
      { type: 'finish', reason: 'tool-calls' },
      { type: 'usage', usage: usage({ inputTokens: 300, outputTokens: 90 }) },
    ]);
    const events = parse(frames);
    const starts = events.filter(([name]) => name === 'content_block_start').map(([, data]) => data);
    assert.deepEqual(
      starts.map((data) => [data['index'], (data['content_block'] as { type: string }).type]),
      [[0, 'thinking'], [1, 'redacted_thinking'], [2, 'text'], [3, 'tool_use'], [4, 'tool_use']],
    );
    // Every delta belongs to the block that is open, and every block is closed before the next opens.
    let open: number | undefined;
    for (const [name, data] of events) {
      if (name === 'content_block_start') {
        assert.equal(open, undefined, 'no block is open when another starts');
        open = data['index'] as number;
      } else if (name === 'content_block_delta') {
        assert.equal(data['index'], open);
      } else if (name === 'content_block_stop') {
        assert.equal(data['index'], open);
        open = undefined;
      }
    }
    const message = await sdkFinalMessage(frames);
    assert.deepEqual(message.content, [
      { type: 'thinking', thinking: 'The user wants the weather.', signature: 'EqQBsig' },
      { type: 'redacted_thinking', data: 'REDACTED' },
      { type: 'text', text: 'Checking both cities.' },
      { type: 'tool_use', id: 'toolu_a', name: 'get_weather', input: { city: 'Oslo' } },
      { type: 'tool_use', id: 'toolu_b', name: 'get_weather', input: { city: 'Lima' } },
    ]);
    assert.equal(message.stop_reason, 'tool_use');
    // Usage that arrives after finish (OpenAI-style) still reaches message_delta.
    assert.equal(message.usage.output_tokens, 90);
    assert.equal(message.usage.input_tokens, 300);
  });

  test('interleaved tool calls keep their own blocks (Portkey #1275)', async () => {
    const frames = await render([
      { type: 'tool-call-start', index: 0, id: 'call_0', name: 'a' },
      { type: 'tool-call-start', index: 1, id: 'call_1', name: 'b' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{"y":' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"x":1}' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '2}' },
      { type: 'tool-call-end', index: 0 },
      { type: 'tool-call-end', index: 1 },
      { type: 'finish', reason: 'tool-calls' },
    ]);
    const message = await sdkFinalMessage(frames);
    assert.deepEqual(message.content, [
      { type: 'tool_use', id: 'call_0', name: 'a', input: { x: 1 } },
      { type: 'tool_use', id: 'call_1', name: 'b', input: { y: 2 } },
    ]);
  });

  test('OpenAI-style tool calls (all ended at finish) still stream live, one block after another', async () => {
    const writer = new MessageStreamWriter({ model: 'm', id: 'msg_w' });
    const events: StreamEvent[] = [
      { type: 'tool-call-start', index: 0, id: 'call_0', name: 'a' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"x":' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '1}' },
      { type: 'tool-call-start', index: 1, id: 'call_1', name: 'b' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{"y":2}' },
      { type: 'tool-call-end', index: 0 },
      { type: 'tool-call-end', index: 1 },
      { type: 'finish', reason: 'tool-calls' },
    ];
    const perEvent = events.map((event) => writer.push(event));
    // Tool 0's arguments are complete JSON when tool 1 starts: tool 0 closes and tool 1 streams at once,
    // instead of waiting for the ends that an OpenAI-style adapter sends only at finish.
    assert.deepEqual(parse(perEvent[3] ?? []).map(([name]) => name), ['content_block_stop', 'content_block_start']);
    assert.deepEqual(parse(perEvent[4] ?? []).map(([name]) => name), ['content_block_delta']);
    const frames = [...perEvent.flat(), ...writer.end()];
    const message = await sdkFinalMessage(frames);
    assert.deepEqual(message.content, [
      { type: 'tool_use', id: 'call_0', name: 'a', input: { x: 1 } },
      { type: 'tool_use', id: 'call_1', name: 'b', input: { y: 2 } },
    ]);
  });

  test('a reasoning delta after text opens a new thinking block, never a thinking delta in a text block (LiteLLM #32357)', async () => {
    const frames = await render([
      { type: 'text-delta', text: 'A' },
      { type: 'reasoning-delta', text: 'hmm' },
      { type: 'text-delta', text: 'B' },
      { type: 'finish', reason: 'stop' },
    ]);
    const events = parse(frames);
    const blocks = new Map<number, string>();
    for (const [name, data] of events) {
      if (name === 'content_block_start') blocks.set(data['index'] as number, (data['content_block'] as { type: string }).type);
      if (name === 'content_block_delta') {
        const kind = (data['delta'] as { type: string }).type;
        const block = blocks.get(data['index'] as number);
        assert.equal(kind === 'text_delta' ? 'text' : 'thinking', block);
      }
    }
    const message = await sdkFinalMessage(frames);
    assert.deepEqual(message.content.map((b) => b.type), ['text', 'thinking', 'text']);
  });

  test('cached-token usage: message_start carries the cache split, message_delta the cumulative totals', async () => {
    const frames = await render([
      { type: 'response-start', id: 'u', model: 'u' },
      { type: 'usage', usage: usage({ inputTokens: 5000, cachedInputTokens: 4800, cacheWriteTokens: 100, outputTokens: 1 }) },
      { type: 'text-delta', text: 'ok' },
      { type: 'usage', usage: usage({ outputTokens: 12 }) },
      { type: 'finish', reason: 'stop' },
    ]);
    const events = parse(frames);
    const start = events[0]?.[1]['message'] as { usage: unknown };
    assert.deepEqual(start.usage, {
      input_tokens: 100,
      cache_creation_input_tokens: 100,
      cache_read_input_tokens: 4800,
      cache_creation: null,
      output_tokens: 1,
    });
    const message = await sdkFinalMessage(frames);
    assert.equal(message.usage.input_tokens, 100);
    assert.equal(message.usage.cache_read_input_tokens, 4800);
    assert.equal(message.usage.cache_creation_input_tokens, 100);
    assert.equal(message.usage.output_tokens, 12);
  });

  test('message_start is written once, with the gateway count when the upstream has none yet', async () => {
    const frames = await render(
      [
        { type: 'response-start', id: 'u', model: 'u' },
        { type: 'response-start', id: 'u', model: 'u' },
        { type: 'text-delta', text: 'x' },
        { type: 'finish', reason: 'length' },
      ],
      { ...OPTIONS, inputTokens: 33 },
    );
    const events = parse(frames);
    assert.equal(events.filter(([name]) => name === 'message_start').length, 1);
    const start = events[0]?.[1]['message'] as { usage: Record<string, unknown> };
    assert.deepEqual(start.usage, {
      input_tokens: 33,
      cache_creation_input_tokens: null,
      cache_read_input_tokens: null,
      cache_creation: null,
      output_tokens: 0,
    });
    const last = events.at(-2)?.[1];
    // Output never reported: null, not an invented 0.
    assert.deepEqual(last, { type: 'message_delta', delta: { stop_reason: 'max_tokens', stop_sequence: null }, usage: { output_tokens: null } });
  });

  test('a lazy gateway count is computed only when the upstream has not reported one', async () => {
    let calls = 0;
    const inputTokens = () => {
      calls++;
      return 44;
    };
    const reported = parse(
      await render(
        [
          { type: 'usage', usage: usage({ inputTokens: 9 }) },
          { type: 'text-delta', text: 'x' },
          { type: 'finish', reason: 'stop' },
        ],
        { ...OPTIONS, inputTokens },
      ),
    );
    assert.equal((reported[0]?.[1]['message'] as { usage: { input_tokens: number } }).usage.input_tokens, 9);
    assert.equal(calls, 0);
    const estimated = parse(await render([{ type: 'text-delta', text: 'x' }, { type: 'finish', reason: 'stop' }], { ...OPTIONS, inputTokens }));
    assert.equal((estimated[0]?.[1]['message'] as { usage: { input_tokens: number } }).usage.input_tokens, 44);
    assert.equal(calls, 1);
  });

  test('a tool call without an id (some OpenAI-compatible servers) gets one the client can answer', async () => {
    const frames = await render([
      { type: 'tool-call-start', index: 0, id: '', name: 'f' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{}' },
      { type: 'tool-call-end', index: 0 },
      { type: 'finish', reason: 'tool-calls' },
    ]);
    const message = await sdkFinalMessage(frames);
    assert.ok(message.content[0]?.type === 'tool_use');
    assert.match(message.content[0].id, /^toolu_[0-9A-Za-z]{24}$/);
  });

  test('malformed streamed tool arguments end the stream with an API error, not a client-side SyntaxError', async () => {
    const frames = await render([
      { type: 'text-delta', text: 'Calling.' },
      { type: 'tool-call-start', index: 0, id: 'call_0', name: 'f' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"a": 1' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: ', oops}' },
      { type: 'tool-call-end', index: 0 },
      { type: 'finish', reason: 'tool-calls' },
    ]);
    const events = parse(frames);
    assert.equal(events.at(-1)?.[0], 'error');
    assert.match(String((events.at(-1)?.[1]['error'] as { message: string }).message), /arguments for tool "f" are not a JSON object/);
    await assert.rejects(sdkFinalMessage(frames), (error: unknown) => error instanceof APIError && error.type === 'api_error');
  });

  test('stop sequences', async () => {
    const frames = await render([{ type: 'text-delta', text: 'x' }, { type: 'finish', reason: 'stop', stopSequence: '###' }]);
    const message = await sdkFinalMessage(frames);
    assert.equal(message.stop_reason, 'stop_sequence');
    assert.equal(message.stop_sequence, '###');
  });

  test('an error event ends the stream with event: error, and the SDK raises it', async () => {
    const frames = await render([
      { type: 'response-start', id: 'u', model: 'u' },
      { type: 'text-delta', text: 'partial' },
      { type: 'error', code: 'overloaded_error', message: 'Overloaded', status: 529 },
      { type: 'text-delta', text: 'never sent' },
    ]);
    const events = parse(frames);
    assert.deepEqual(events.at(-1), ['error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }]);
    assert.ok(!events.some(([name]) => name === 'message_stop'));
    await assert.rejects(sdkFinalMessage(frames), (error: unknown) => {
      assert.ok(error instanceof APIError);
      assert.equal(error.type, 'overloaded_error');
      return true;
    });
  });

  test('catalog codes and statuses map to Anthropic error types', async () => {
    const typeOf = async (event: StreamEvent) => {
      const events = parse(await render([event]));
      return (events.at(-1)?.[1]['error'] as { type: string }).type;
    };
    assert.equal(await typeOf({ type: 'error', code: 'upstream_timeout', message: 't' }), 'timeout_error');
    assert.equal(await typeOf({ type: 'error', code: 'weird', message: 'x', status: 429 }), 'rate_limit_error');
    assert.equal(await typeOf({ type: 'error', code: 'weird', message: 'x' }), 'api_error');
  });

  test('an exception from the iterator ends the stream with an error frame', async () => {
    const frames = await render([{ type: 'text-delta', text: 'a' }], OPTIONS, new GatewayError('upstream_timeout', 'no chunk for 60 s'));
    assert.deepEqual(parse(frames).at(-1), ['error', { type: 'error', error: { type: 'timeout_error', message: 'no chunk for 60 s' } }]);
    const crashed = await render([], OPTIONS, new Error('boom'));
    assert.deepEqual(parse(crashed), [['error', { type: 'error', error: { type: 'api_error', message: 'internal error: boom' } }]]);
  });

  test('a stream that ends without finish is an error, not a silent success', async () => {
    const events = parse(await render([{ type: 'text-delta', text: 'cut' }]));
    assert.equal(events.at(-1)?.[0], 'error');
    assert.ok(!events.some(([name]) => name === 'message_stop'));
  });

  test('heartbeat: a ping only between message_start and the end of the stream', () => {
    const renderer = new MessagesStreamRenderer(OPTIONS);
    assert.equal(renderer.heartbeat(), '', 'nothing before message_start');
    renderer.push({ type: 'text-delta', text: 'thinking hard…' });
    const [[name]] = parse([renderer.heartbeat()]) as [[string, unknown]];
    assert.equal(name, 'ping');
    renderer.push({ type: 'finish', reason: 'stop' });
    renderer.end();
    assert.equal(renderer.heartbeat(), '', 'nothing after message_stop');
  });
});
