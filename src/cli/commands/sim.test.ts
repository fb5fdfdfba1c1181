import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const fixtures = join(root, 'src/sim/__fixtures__');
const fleet = join(fixtures, 'fleet-tiny.yaml');
const trace = join(fixtures, 'mooncake-tiny.jsonl');

function sim(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const out = spawnSync(process.execPath, [join(root, 'bin/switchyard.js'), 'sim', ...args], { cwd: root, encoding: 'utf8' });
  return { code: out.status, stdout: out.stdout, stderr: out.stderr };
}

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-sim-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('switchyard sim', () => {
  test('--json prints one object with the documented fields, byte-identical across runs', () => {
    const args = ['--trace', trace, '--fleet', fleet, '--policy', 'random', '--seed', '7', '--slo-ttft-ms', '500', '--slo-tpot-ms', '50', '--json'];
    const first = sim(...args);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stderr, '', 'no progress bar when stderr is not a TTY');
    assert.equal(sim(...args).stdout, first.stdout);
    const result = JSON.parse(first.stdout) as Record<string, unknown>;
    for (const key of ['requests', 'completed', 'rejected', 'slo_attainment', 'goodput_rps', 'output_tokens_per_s', 'cost_usd', 'usd_per_mtok', 'energy_j', 'tokens_per_joule', 'prefix_hit_rate']) {
      assert.equal(typeof result[key], 'number', key);
    }
    for (const key of ['ttft_ms', 'tpot_ms', 'e2e_ms']) {
      assert.deepEqual(Object.keys(result[key] as object), ['mean', 'p50', 'p90', 'p99'], key);
    }
    assert.equal(result['requests'], 8);
    const pools = result['per_pool'] as Record<string, unknown>[];
    assert.deepEqual(pools.map((p) => p['name']), ['fast', 'cheap']);
    for (const pool of pools) for (const key of ['utilisation', 'cost_usd', 'energy_j', 'routed']) assert.equal(typeof pool[key], 'number', key);
    assert.notEqual(sim(...args.slice(0, 5), '--seed', '8', '--json').stdout, first.stdout);
  });

  test('a synthetic workload, a summary table and an HTML report', () => {
    const report = join(dir, 'report.html');
    const out = sim('--synthetic', 'agent', '--requests', '100', '--rate', '5', '--fleet', fleet, '--policy', 'least-loaded', '--report', report);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /100 requests, 100 completed/);
    assert.match(out.stdout, /^cheap +l4/m);
    assert.match(readFileSync(report, 'utf8'), /^<!doctype html>/);
    const workload = sim('--workload', join(fixtures, 'workload-agent.yaml'), '--fleet', fleet, '--policy', 'round-robin', '--limit', '30', '--json');
    assert.equal(workload.code, 0, workload.stderr);
    assert.equal((JSON.parse(workload.stdout) as { requests: number }).requests, 30);
  });

  test('bad input names the file, line or field, with a non-zero exit', () => {
    const cases: [string[], RegExp][] = [
      [['--trace', file('bad.jsonl', '{"timestamp": 0, "input_length": 5, "output_length": 1}\n{"timestamp": 1, "input_length": 5\n')], /bad\.jsonl:2: not valid JSON/],
      [['--trace', file('bad.csv', 'TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:03.1,12,x\n')], /bad\.csv:2: field "GeneratedTokens"/],
      [['--trace', join(dir, 'missing.jsonl')], /trace file not found: .*missing\.jsonl/],
      [['--trace', file('t.txt', '')], /t\.txt: cannot tell the trace format/],
    ];
    for (const [args, message] of cases) {
      const out = sim(...args, '--fleet', fleet, '--policy', 'round-robin');
      assert.equal(out.code, 1, `${args.join(' ')}: ${out.stderr}`);
      assert.match(out.stderr, message);
      assert.doesNotMatch(out.stderr, /\n\s+at /, 'no stack trace');
    }
    const fleets: [string, RegExp][] = [
      ['pools:\n  - {name: a, hardware: h100-sxmm, model: llama-3.1-8b, replicas: 1}\n', /gpu\.yaml: pools\[0\] \(a\): unknown hardware "h100-sxmm"/],
      ['pools:\n  - {name: a, hardware: l4, model: llama-3.1-70b, replicas: 1}\n', /gpu\.yaml: pools\[0\] \(a\): .*(fit|memory)/i],
      ['pools:\n  - {name: a, hardware: l4, model: llama-3.1-8b, replicas: 0}\n', /gpu\.yaml: pools\[0\]\.replicas/],
      ['pools:\n  - {name: a, hardware: l4, model: llama-3.1-8b, replicas: 1, engine: {blockSize: 24}}\n', /pool a: .*hashBlockTokens 512 must be a positive multiple of the block size 24/],
    ];
    for (const [text, message] of fleets) {
      const out = sim('--trace', trace, '--fleet', file('gpu.yaml', text), '--policy', 'round-robin');
      assert.equal(out.code, 1, out.stderr);
      assert.match(out.stderr, message);
    }
    const missingFleet = sim('--trace', trace, '--fleet', join(dir, 'nofleet.yaml'), '--policy', 'round-robin');
    assert.equal(missingFleet.code, 1);
    assert.match(missingFleet.stderr, /fleet file not found: .*nofleet\.yaml/);
    const policy = sim('--trace', trace, '--fleet', fleet, '--policy', 'fastest');
    assert.equal(policy.code, 1);
    assert.match(policy.stderr, /unknown routing policy "fastest"; known: round-robin/);
  });

  test('usage errors exit 2', () => {
    for (const [args, message] of [
      [['--fleet', fleet, '--policy', 'random'], /exactly one of --trace, --synthetic or --workload/],
      [['--trace', trace, '--policy', 'random'], /--fleet FILE is required/],
      [['--trace', trace, '--fleet', fleet], /--policy is required/],
      [['--trace', trace, '--fleet', fleet, '--policy', 'random', '--format', 'parquet'], /--format must be one of mooncake, azure/],
      [['--synthetic', 'chat', '--fleet', fleet, '--policy', 'random'], /--synthetic must be one of conversation, agent, reasoning, shared-prefix/],
      [['--trace', trace, '--fleet', fleet, '--policy', 'random', '--rate-scale', '0'], /--rate-scale must be positive/],
    ] as const) {
      const out = sim(...args);
      assert.equal(out.code, 2, out.stderr);
      assert.match(out.stderr, message);
    }
    assert.match(sim('--help').stdout, /usage: switchyard sim/);
  });
});
