import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator, type RunningEmulator } from '../emulator/index.js';
import { createUndiciTransport, type UndiciTransport } from '../transport/undici-transport.js';
import { Fleet } from './fleet.js';
import { LiveFleet } from './live-fleet.js';
import { SILENT_LOGGER } from './monitor-support.js';
import { replicaSpec, until, WALL } from './test-support.js';

let transport: UndiciTransport;
before(() => {
  transport = createUndiciTransport({ timeouts: { connectMs: 1000, firstByteMs: 5000, totalMs: 0 } });
});
after(() => transport.close());

function liveSpec(id: string, origin: string): ReturnType<typeof replicaSpec> {
  return replicaSpec(id, {
    live: {
      metrics: { url: `${origin}/metrics`, intervalMs: 20, staleAfterMs: 500, timeoutMs: 400 },
      kvEvents: { url: `${origin}/kv-events` },
      health: { url: `${origin}/health`, intervalMs: 20, timeoutMs: 400, unhealthyThreshold: 2, healthyThreshold: 1 },
    },
  });
}

test('health checks take a dead replica out and put it back; its restart clears its KV entries', async () => {
  let emulator: RunningEmulator = await startEmulator({ id: 'emu', speed: 20 });
  const port = emulator.port;
  const fleet = new Fleet([liveSpec('emu', emulator.url), replicaSpec('api')], { failureThreshold: 3, cooldownMs: 1000 }, WALL);
  const live = new LiveFleet(fleet, { transport, clock: WALL, logger: SILENT_LOGGER, kvEvents: { backoffBaseMs: 10, backoffCapMs: 50 } });
  assert.equal(live.size, 1, 'only the replica with endpoints is monitored');
  const replica = fleet.get('emu')!;
  const monitors = live.monitorsOf('emu')!;
  live.start();
  try {
    await until(() => replica.probe === 'up' && replica.kvSynced && !replica.isStale(), 'health, KV stream and metrics');
    const response = await fetch(`${emulator.url}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'lorem ipsum dolor sit amet '.repeat(30), max_tokens: 2 }),
    });
    await response.json();
    await until(() => fleet.prefix.size('emu') > 0, 'KV events in the index');

    await emulator.close();
    await until(() => replica.probe === 'down', 'the dead replica to be taken out');
    assert.equal(replica.refresh(WALL.now()).healthy, false);
    assert.deepEqual(
      fleet.candidates(['p'], new Set()).filter((s) => s.healthy).map((s) => s.id),
      ['api'],
      'policies see it unhealthy',
    );
    await until(() => monitors.metrics!.status.stale && !replica.kvSynced, 'stale metrics and a lost KV stream');

    emulator = await startEmulator({ id: 'emu', speed: 20, port });
    await until(() => replica.probe === 'up', 'the replica to be put back');
    assert.equal(replica.refresh(WALL.now()).healthy, true);
    await until(() => replica.kvSynced && monitors.kvEvents!.status.restarts === 1, 'the KV stream to see the restart');
    assert.equal(fleet.prefix.size('emu'), 0, 'the restarted engine\'s cache is empty, and so is its index entry');
    await until(() => !monitors.metrics!.status.stale, 'metrics fresh again');
  } finally {
    await live.close();
    await emulator.close();
  }
});
