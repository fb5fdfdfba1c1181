import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from './random.js';
import { Utf8Stream } from './utf8.js';

test('any chunking of text with 1- to 4-byte characters decodes to the text', () => {
  const rng = new Random(4441);
  const alphabet = ['a', ' ', 'é', 'ß', '€', '漢', '字', '😀', '🚄', '\n'];
  for (let round = 0; round < 500; round++) {
    let text = '';
    for (let i = 0, n = rng.int(60); i < n; i++) text += alphabet[rng.int(alphabet.length)] as string;
    const bytes = Buffer.from(text, 'utf8');
    const stream = new Utf8Stream();
    let out = '';
    for (let at = 0; at < bytes.length; ) {
      const size = 1 + rng.int(6);
      out += stream.decode(new Uint8Array(bytes.subarray(at, at + size)));
      at += size;
    }
    out += stream.end();
    assert.equal(out, text, `round ${round}`);
  }
});

test('invalid and truncated bytes decode to U+FFFD, as TextDecoder does', () => {
  for (const bytes of [[0xff, 0x41], [0x41, 0x80, 0x42], [0xe2, 0x82]]) {
    const stream = new Utf8Stream();
    const got = stream.decode(new Uint8Array(bytes)) + stream.end();
    assert.equal(got, new TextDecoder().decode(new Uint8Array(bytes)), JSON.stringify(bytes));
  }
});
