import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SseParser, encodeSse, readSse } from './sse.js';
import { Random } from './random.js';

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

/** The spec's algorithm over a whole text at once (WHATWG HTML §9.2.6): the reference the parser must match. */
function referenceParse(text: string): Array<{ event?: string; data: string; id?: string }> {
  const out: Array<{ event?: string; data: string; id?: string }> = [];
  let data: string[] = [];
  let event: string | undefined;
  let id: string | undefined;
  for (const line of text.split(/\r\n|\r|\n/).slice(0, -1)) {
    if (line === '') {
      if (data.length > 0) out.push({ ...(event === undefined ? {} : { event }), data: data.join('\n'), ...(id === undefined ? {} : { id }) });
      data = [];
      event = undefined;
      continue;
    }
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id') id = value;
  }
  return out;
}

test('any chunking of any mix of CR, LF and CRLF gives the messages of the whole text', () => {
  const rng = new Random(9217);
  const endings = ['\n', '\r', '\r\n'];
  const lines = ['data: {"a":1}', 'data:x', 'data', 'event: delta', ': comment', 'id: 7', 'retry: 10', '', 'data:  two spaces', 'data: é ü 漢'];
  for (let round = 0; round < 500; round++) {
    let text = '';
    for (let i = 0, n = 1 + rng.int(30); i < n; i++) text += (lines[rng.int(lines.length)] as string) + (endings[rng.int(endings.length)] as string);
    text += '\n';
    const parser = new SseParser();
    const got = [];
    for (let at = 0; at < text.length; ) {
      const size = 1 + rng.int(12);
      got.push(...parser.push(text.slice(at, at + size)));
      at += size;
    }
    assert.deepEqual(got, referenceParse(text), `round ${round}: ${JSON.stringify(text)}`);
  }
});
