/**
 * Cost of the Anthropic surface on the request path, per request and per streamed token:
 * - parse: a Claude-Code-sized `POST /v1/messages` body (system with cache_control, 20 tools, a 60-turn
 *   conversation with tool calls and results, ~400 kB) validated into the canonical request;
 * - stream: canonical events → Anthropic SSE frames (one text delta per token, a thinking block and a
 *   tool call), in frames per second;
 * - adapter: Anthropic SSE bytes → canonical events (the reverse, for an Anthropic upstream).
 *
 *   node --import tsx bench/anthropic-surface.ts [--json]
 */
import { MessagesStreamRenderer, parseMessagesRequest } from '../src/api/anthropic/index.js';
import { fromAnthropicStream } from '../src/providers/anthropic/convert-stream.js';
import type { StreamEvent } from '../src/spec/stream.js';

const asJson = process.argv.includes('--json');

function claudeCodeBody(): Record<string, unknown> {
  const tools = Array.from({ length: 20 }, (_, i) => ({
    name: `tool_${i}`,
    description: 'Runs something in the workspace and returns its output. '.repeat(8),
    input_schema: { type: 'object', properties: { path: { type: 'string' }, limit: { type: 'integer' } }, required: ['path'] },
  }));
  const messages: unknown[] = [];
  for (let turn = 0; turn < 30; turn++) {
    messages.push({ role: 'user', content: turn === 0 ? 'Fix the failing test in src/.' : [{ type: 'tool_result', tool_use_id: `toolu_${turn - 1}`, content: 'line of output\n'.repeat(400) }] });
    messages.push({
      role: 'assistant',
      content: [
        { type: 'text', text: 'Let me look at that file next.' },
        { type: 'tool_use', id: `toolu_${turn}`, name: `tool_${turn % 20}`, input: { path: `src/file-${turn}.ts`, limit: 200 } },
      ],
    });
  }
  messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_29', content: 'ok' }] });
  return {
    model: 'claude-sonnet',
    max_tokens: 32000,
    stream: true,
    system: [{ type: 'text', text: 'You are a coding agent. '.repeat(400), cache_control: { type: 'ephemeral' } }],
    metadata: { user_id: 'user_abc_account_def_session_123' },
    tools,
    messages,
  };
}

function time(fn: () => void, iterations: number): number {
  for (let i = 0; i < Math.min(50, iterations); i++) fn();
  const start = performance.now();
  for (let i = 0; i < iterations; i++) fn();
  return (performance.now() - start) / iterations;
}

function streamEvents(tokens: number): StreamEvent[] {
  const events: StreamEvent[] = [{ type: 'response-start', id: 'x', model: 'm' }];
  events.push({ type: 'usage', usage: { inputTokens: 100_000, cachedInputTokens: 90_000, cacheWriteTokens: 0, outputTokens: 1, reasoningTokens: undefined } });
  for (let i = 0; i < 50; i++) events.push({ type: 'reasoning-delta', text: ' think' });
  events.push({ type: 'reasoning-delta', text: '', signature: 'sig' });
  for (let i = 0; i < tokens; i++) events.push({ type: 'text-delta', text: ' token' });
  events.push({ type: 'tool-call-start', index: 0, id: 'toolu_1', name: 'bash' });
  for (let i = 0; i < 20; i++) events.push({ type: 'tool-call-delta', index: 0, argumentsDelta: i === 0 ? '{"command":"' : i === 19 ? 'x"}' : 'x' });
  events.push({ type: 'tool-call-end', index: 0 }, { type: 'finish', reason: 'tool-calls' });
  events.push({ type: 'usage', usage: { inputTokens: 100_000, cachedInputTokens: 90_000, cacheWriteTokens: 0, outputTokens: tokens + 71, reasoningTokens: undefined } });
  return events;
}

/** Renders every event (as the stream phase does), returning the frames. */
function renderAll(events: StreamEvent[]): string[] {
  const renderer = new MessagesStreamRenderer({ model: 'claude-sonnet', id: 'msg_bench' });
  const text = events.map((event) => renderer.push(event)).join('') + renderer.end();
  return text.split(/(?<=\n\n)/);
}

/** Renders and drops the frames (as a socket write would), counting the characters. */
function renderCount(events: StreamEvent[]): number {
  const renderer = new MessagesStreamRenderer({ model: 'claude-sonnet', id: 'msg_bench' });
  let chars = 0;
  for (const event of events) chars += renderer.push(event).length;
  return chars + renderer.end().length;
}

/** The same loop without the surface: what iterating the events alone costs. */
function baseline(events: StreamEvent[]): number {
  let count = 0;
  for (const event of events) count += event.type.length > 0 ? 1 : 0;
  return count;
}

async function main(): Promise<void> {
  const body = claudeCodeBody();
  const bytes = JSON.stringify(body).length;
  const parseMs = time(() => parseMessagesRequest(body), 200);

  const events = streamEvents(10_000);
  const rounds = 20;
  const frames = renderAll(events);
  for (let i = 0; i < 3; i++) renderCount(events);
  let start = performance.now();
  let chars = 0;
  for (let i = 0; i < rounds; i++) chars += renderCount(events);
  const renderUsPerFrame = ((performance.now() - start) * 1000) / (rounds * frames.length);
  if (chars === 0) throw new Error('nothing rendered');
  start = performance.now();
  let eventCount = 0;
  for (let i = 0; i < rounds; i++) eventCount += baseline(events);
  const iterateUsPerEvent = ((performance.now() - start) * 1000) / eventCount;

  const wire = new TextEncoder().encode(frames.join(''));
  async function* body64k(): AsyncGenerator<Uint8Array> {
    for (let i = 0; i < wire.length; i += 65_536) yield wire.subarray(i, i + 65_536);
  }
  let canonical = 0;
  const adaptStart = performance.now();
  for await (const batch of fromAnthropicStream(body64k())) canonical += batch.length;
  canonical = 0;
  for (let i = 0; i < rounds; i++) for await (const batch of fromAnthropicStream(body64k())) canonical += batch.length;
  const adaptUsPerEvent = ((performance.now() - adaptStart) * 1000) / canonical;

  const result = {
    parseBodyKB: Math.round(bytes / 1024),
    parseMs: Number(parseMs.toFixed(3)),
    renderFrames: frames.length,
    renderUsPerFrame: Number(renderUsPerFrame.toFixed(2)),
    iterateOnlyUsPerEvent: Number(iterateUsPerEvent.toFixed(2)),
    adapterUsPerEvent: Number(adaptUsPerEvent.toFixed(2)),
  };
  if (asJson) console.log(JSON.stringify(result));
  else {
    console.log(`parse ${result.parseBodyKB} kB Claude-Code-like body: ${result.parseMs} ms`);
    console.log(`render stream: ${result.renderUsPerFrame} µs per SSE frame (${result.renderFrames} frames; iterating the events alone: ${result.iterateOnlyUsPerEvent} µs)`);
    console.log(`adapter (Anthropic SSE → canonical): ${result.adapterUsPerEvent} µs per event`);
  }
}

await main();
