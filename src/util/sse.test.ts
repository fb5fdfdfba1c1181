import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SseParser, encodeSse, readSse } from './sse.js';

test('parses events split across chunks, CRLF and comments', () => {
  const parser = new SseParser();
  const out = [
    ...parser.push('event: message_start\r\ndata: {"a"'),
    ...parser.push(':1}\r'),
    ...parser.push('\n\r\n: keep-alive\n\ndata: x\ndata: y\n\n'),
  ];
  assert.deepEqual(out, [
    { event: 'message_start', data: '{"a":1}' },
    { data: 'x\ny' },
  ]);
});

test('encode then read gives the same messages', async () => {
  const text = encodeSse('{"x":1}') + encodeSse('two\nlines', 'delta') + encodeSse('[DONE]');
  async function* body() {
    const bytes = new TextEncoder().encode(text);
    for (let i = 0; i < bytes.length; i += 5) yield bytes.slice(i, i + 5);
  }
  const messages = [];
  for await (const message of readSse(body())) messages.push(message);
  assert.deepEqual(messages, [{ data: '{"x":1}' }, { event: 'delta', data: 'two\nlines' }, { data: '[DONE]' }]);
});
