import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import assert from 'node:assert/strict';

/**
 * The quick start is open on loopback, and says so; `--auth` closes it before any key exists.
 * Each run gets its own working directory, so its embedded SQLite store starts empty.
 */
const BIN = fileURLToPath(new URL('../../bin/switchyard.js', import.meta.url));

async function serve(args: string[]): Promise<{ child: ChildProcess; url: string; stderr: () => string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'sy-serve-'));
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /"msg":"switchyard gateway listening","url":"([^"]+)"/.exec(err);
      if (m?.[1] !== undefined) resolve(m[1]);
    });
    child.once('exit', () => reject(new Error(`serve exited before listening: ${err}`)));
  });
  return { child, url, stderr: () => err, dir };
}

async function stop(server: { child: ChildProcess; dir: string }): Promise<void> {
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
  rmSync(server.dir, { recursive: true, force: true });
}

const hello = JSON.stringify({ model: 'llama-3.1-8b', messages: [{ role: 'user', content: 'hi' }], max_tokens: 4 });

test('no keys, no --auth: served without a key, with a warning at start-up', { timeout: 60_000 }, async () => {
  const server = await serve([]);
  try {
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.match(server.stderr(), /"level":"warn","msg":"no API keys exist/);
    const response = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: hello });
    assert.equal(response.status, 200);
    await response.arrayBuffer();
  } finally {
    await stop(server);
  }
});

test('--auth: a request without a key is refused with 401 in the client’s error shape', { timeout: 60_000 }, async () => {
  const server = await serve(['--auth']);
  try {
    assert.doesNotMatch(server.stderr(), /no API keys exist/);
    const openai = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: hello });
    assert.equal(openai.status, 401);
    assert.equal(((await openai.json()) as { error: { code: string } }).error.code, 'missing_api_key');
    const anthropic = await fetch(`${server.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'llama-3.1-8b', max_tokens: 4, messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(anthropic.status, 401);
    assert.equal(((await anthropic.json()) as { error: { type: string } }).error.type, 'authentication_error');
  } finally {
    await stop(server);
  }
});
