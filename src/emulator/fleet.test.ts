import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import OpenAI from 'openai';
import { FleetFileError, loadFleetFile, parseFleet } from './fleet-file.js';
import { startEmulatorFleet, type RunningFleet } from './fleet.js';

describe('fleet hosting', () => {
  const fleets: RunningFleet[] = [];
  after(() => Promise.all(fleets.map((f) => f.close())));

  test('16 replicas of four hardware types in one process all serve', async () => {
    const fleet = await startEmulatorFleet({
      speed: 50,
      pools: [
        { name: 'h100', hardware: 'h100-sxm', model: 'llama-3.1-8b', tensorParallel: 1, replicas: 4 },
        { name: 'a100', hardware: 'a100-80gb', model: 'llama-3.1-8b', tensorParallel: 1, replicas: 4 },
        { name: 'l40s', hardware: 'l40s', model: 'llama-3.1-8b', tensorParallel: 1, replicas: 4 },
        { name: 'h100-70b', hardware: 'h100-sxm', model: 'llama-3.1-70b', tensorParallel: 4, replicas: 4, servedModelNames: ['big'] },
      ],
    });
    fleets.push(fleet);
    assert.equal(fleet.replicas.length, 16);
    assert.equal(new Set(fleet.replicas.map((r) => r.url)).size, 16);
    assert.equal(new Set(fleet.replicas.map((r) => r.id)).size, 16);
    assert.deepEqual(fleet.replicas.slice(0, 2).map((r) => r.id), ['h100-0', 'h100-1']);
    const answers = await Promise.all(
      fleet.replicas.map(async (r) => {
        const client = new OpenAI({ baseURL: `${r.url}/v1`, apiKey: 'unused', maxRetries: 0 });
        const model = r.servedModelNames[0] as string;
        const res = await client.chat.completions.create({ model, messages: [{ role: 'user', content: `hello ${r.id}` }], max_tokens: 8 });
        const info = (await (await fetch(`${r.url}/info`)).json()) as { id: string; hardware: string };
        assert.equal(info.id, r.id);
        assert.equal(info.hardware, r.hardware);
        return res.usage?.completion_tokens;
      }),
    );
    assert.deepEqual(answers, new Array(16).fill(8));
  });

  test('fleet files: the simulator\'s pool format, errors that name the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-fleet-'));
    const file = join(dir, 'fleet.yaml');
    writeFileSync(
      file,
      'pools:\n  - name: a\n    hardware: h100-sxm\n    model: llama-3.1-8b\n    tensorParallel: 1\n    replicas: 2\n    usdPerHour: 3\n    engine: { maxNumSeqs: 64 }\n' +
        '    faults: { errorRate: 0.1, errorStatuses: [503] }\n  - name: b\n    hardware: l40s\n    model: llama-3.1-8b\n',
    );
    const spec = loadFleetFile(file);
    assert.equal(spec.pools.length, 2);
    assert.deepEqual(spec.pools[0]?.faults, { errorRate: 0.1, errorStatuses: [503] });
    assert.equal(spec.pools[1]?.replicas, 1);
    assert.deepEqual(spec.pools[0]?.engine, { maxNumSeqs: 64 });
    assert.throws(() => parseFleet({ pools: [{ name: 'a', hardware: 'x', model: 'y', replicas: 0 }] }, 'f.yaml'), /f\.yaml: pools\[0\]\.replicas/);
    assert.throws(() => parseFleet({ pools: [] }, 'f.yaml'), FleetFileError);
    assert.throws(() => parseFleet({ pools: [{ name: 'a', hardware: 'x', model: 'y', faults: { errorRate: 2 } }] }), /pools\[0\]\.faults\.errorRate/);
    writeFileSync(file, 'pools: [\n');
    assert.throws(() => loadFleetFile(file), /not valid YAML/);
  });

  test('`switchyard engine --replicas 2` prints one line per replica and serves until SIGTERM', async () => {
    const child = spawn(process.execPath, ['bin/switchyard.js', 'engine', '--replicas', '2', '--port', '0', '--speed', '50', '--hardware', 'l40s'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    const rl = createInterface({ input: child.stdout });
    for await (const line of rl) {
      lines.push(line);
      if (lines.length === 2) break;
    }
    assert.match(lines[0] ?? '', /^replica default-0 pool=default hardware=l40s model=llama-3\.1-8b tp=1 served=llama-3\.1-8b url=http:\/\/127\.0\.0\.1:\d+$/);
    const url = /url=(\S+)/.exec(lines[1] ?? '')?.[1] as string;
    assert.equal((await fetch(`${url}/health`)).status, 200);
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exit, 0);
  });

  test('`switchyard engine` rejects bad flags with a message and a non-zero exit', async () => {
    const child = spawn(process.execPath, ['bin/switchyard.js', 'engine', '--fault-error-rate', '3'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    assert.equal(code, 2);
    assert.match(stderr, /--fault-error-rate must be between 0 and 1/);
  });
});
