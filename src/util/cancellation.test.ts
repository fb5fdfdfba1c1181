import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cancellation } from './cancellation.js';

test('every listener hears the cancellation once, with the reason set first; removed ones do not', () => {
  const cancellation = new Cancellation();
  const heard: string[] = [];
  const removed = (): void => {
    heard.push('removed');
  };
  cancellation.addEventListener('abort', () => heard.push(`fn:${String(cancellation.reason)}`));
  cancellation.addEventListener('abort', removed);
  cancellation.addEventListener('abort', { handleEvent: () => heard.push(`object:${cancellation.aborted}`) });
  cancellation.removeEventListener('abort', removed);
  assert.equal(cancellation.aborted, false);
  cancellation.cancel('client gone');
  cancellation.cancel('again');
  assert.deepEqual(heard, ['fn:client gone', 'object:true']);
  assert.equal(cancellation.reason, 'client gone');
});

test('a listener added after the cancellation is not called (as with AbortSignal)', () => {
  const cancellation = new Cancellation();
  cancellation.cancel(new Error('gone'));
  let called = false;
  cancellation.addEventListener('abort', () => (called = true));
  assert.equal(called, false);
});
