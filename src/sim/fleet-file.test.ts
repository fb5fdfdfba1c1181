import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFleetFile, readFleetFile } from './fleet-file.js';

test('a fleet file parses pools with defaults and overrides', () => {
  const fleet = parseFleetFile(
    `pools:
  - name: h100
    hardware: h100-sxm
    model: llama-3.1-8b
    replicas: 2
  - name: l4
    hardware: l4
    model: llama-3.1-8b
    tensorParallel: 2
    replicas: 4
    usdPerHour: 1.1
    engine: { maxNumSeqs: 64, enablePrefixCaching: false }
`,
    'f.yaml',
  );
  assert.equal(fleet.pools.length, 2);
  assert.equal(fleet.pools[0]!.tensorParallel, 1);
  assert.deepEqual(fleet.pools[1], {
    name: 'l4',
    hardware: 'l4',
    model: 'llama-3.1-8b',
    tensorParallel: 2,
    replicas: 4,
    usdPerHour: 1.1,
    engine: { maxNumSeqs: 64, enablePrefixCaching: false },
  });
});

test('fleet file errors name the file and the field', () => {
  const pool = 'name: a\n    hardware: h100-sxm\n    model: m\n    replicas: 1';
  assert.throws(() => parseFleetFile('pools: []\n', 'f.yaml'), /f\.yaml: pools: a fleet needs at least one pool/);
  assert.throws(() => parseFleetFile('pools:\n  - name: a\n    hardware: h\n    model: m\n', 'f.yaml'), /f\.yaml: pools\[0\]\.replicas: /);
  assert.throws(() => parseFleetFile(`pools:\n  - ${pool}\n    tensorParallel: 1.5\n`, 'f.yaml'), /f\.yaml: pools\[0\]\.tensorParallel: /);
  assert.throws(() => parseFleetFile(`pools:\n  - ${pool}\n    engine: { maxSeqs: 3 }\n`, 'f.yaml'), /f\.yaml: pools\[0\]\.engine: .*maxSeqs/);
  assert.throws(() => parseFleetFile(`pools:\n  - ${pool}\n  - ${pool}\n`, 'f.yaml'), /f\.yaml: pools\[1\]\.name: duplicate pool name "a"/);
  assert.throws(() => parseFleetFile('pools: [\n', 'f.yaml'), /f\.yaml:\d+: invalid YAML/);
  assert.throws(() => readFleetFile('/nope/fleet.yaml'), /fleet file not found: \/nope\/fleet\.yaml/);
});
