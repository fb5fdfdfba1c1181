import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpError } from './http-error.js';
import { Histogram, MetricWriter, buckets125 } from './prometheus-text.js';
import { parseChatRequest, parseCompletionRequest } from './request-parse.js';

function rejects(fn: () => unknown, param: string | null, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof HttpError);
    assert.equal(error.status, 400);
    assert.equal(error.param, param);
    assert.match(error.message, pattern);
    return true;
  });
}

describe('chat request parsing', () => {
  const ok = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };

  test('accepts a minimal request and the common options', () => {
    const r = parseChatRequest({
      ...ok,
      stream: true,
      stream_options: { include_usage: true },
      max_completion_tokens: 7,
      max_tokens: 99,
      stop: 'x',
      seed: 4,
      temperature: 0.2,
    });
    assert.equal(r.maxTokens, 7);
    assert.deepEqual(r.stop, ['x']);
    assert.equal(r.includeUsage, true);
    assert.equal(r.seed, 4);
    assert.equal(r.toolChoice.kind, 'none');
  });

  test('content parts become text', () => {
    const r = parseChatRequest({ messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'image_url', image_url: { url: 'x' } }] }] });
    assert.equal(r.messages[0]?.text, 'a<image_url>');
  });

  test('rejects bad input with a 400 naming the field', () => {
    rejects(() => parseChatRequest([]), null, /JSON object/);
    rejects(() => parseChatRequest({ model: 'm' }), 'messages', /non-empty/);
    rejects(() => parseChatRequest({ ...ok, n: 2 }), 'n', /n > 1/);
    rejects(() => parseChatRequest({ ...ok, max_tokens: 0 }), 'max_tokens', /at least 1/);
    rejects(() => parseChatRequest({ ...ok, max_tokens: 1.5 }), 'max_tokens', /integer/);
    rejects(() => parseChatRequest({ ...ok, stream_options: { include_usage: true } }), 'stream_options', /stream=True/);
    rejects(() => parseChatRequest({ ...ok, messages: [{ role: 'wizard', content: 'x' }] }), 'messages[0].role', /one of/);
    rejects(() => parseChatRequest({ ...ok, stop: 3 }), 'stop', /string/);
    rejects(() => parseChatRequest({ ...ok, temperature: 5 }), 'temperature', /between/);
    rejects(() => parseChatRequest({ ...ok, tools: [{ type: 'function', function: { name: 'bad name!' } }] }), 'tools[0].function.name', /match/);
    rejects(
      () => parseChatRequest({ ...ok, tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: { type: 'function', function: { name: 'g' } } }),
      'tool_choice',
      /not in/,
    );
    rejects(() => parseChatRequest({ ...ok, tool_choice: 'required' }), 'tool_choice', /needs/);
  });

  test('tools default tool_choice to auto', () => {
    const r = parseChatRequest({ ...ok, tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }] });
    assert.equal(r.toolChoice.kind, 'auto');
    assert.equal(r.tools[0]?.name, 'f');
  });
});

describe('completion request parsing', () => {
  test('accepts text, a one-element list, or token ids', () => {
    assert.equal(parseCompletionRequest({ prompt: 'hi' }).prompt, 'hi');
    assert.equal(parseCompletionRequest({ prompt: ['hi'] }).prompt, 'hi');
    assert.deepEqual(parseCompletionRequest({ prompt: [1, 2, 3] }).prompt, [1, 2, 3]);
  });
  test('rejects batches and missing prompts', () => {
    rejects(() => parseCompletionRequest({ prompt: ['a', 'b'] }), 'prompt', /batched/);
    rejects(() => parseCompletionRequest({}), 'prompt', /must be/);
  });
});

describe('prometheus text', () => {
  test('renders histograms cumulatively and escapes labels', () => {
    const h = new Histogram([0.1, 1]);
    h.observe(0.05);
    h.observe(0.5);
    h.observe(5);
    const text = new MetricWriter().family('x', 'histogram', 'help').histogram('x', { a: 'q"\\' }, h).text();
    assert.match(text, /^x_bucket\{a="q\\"\\\\",le="0.1"\} 1$/m);
    assert.match(text, /^x_bucket\{a="q\\"\\\\",le="1"\} 2$/m);
    assert.match(text, /^x_bucket\{a="q\\"\\\\",le="\+Inf"\} 3$/m);
    assert.match(text, /^x_count\{a="q\\"\\\\"\} 3$/m);
  });
  test('1-2-5 buckets', () => {
    assert.deepEqual(buckets125(60), [1, 2, 5, 10, 20, 50]);
  });
});
