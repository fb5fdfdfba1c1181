/**
 * Gateway overhead benchmark (a script, not a test): `npm run bench -- bench/gateway.ts [--quick]`.
 *
 * Processes on loopback: a zero-delay OpenAI-compatible upstream (test/support/canned-upstream.ts), the
 * gateway (`switchyard serve --upstream …`, compiled), a minimal undici proxy as the floor
 * (bench/floor-proxy.ts), and a keep-alive load generator (bench/load-generator.ts). Each scenario runs
 * against the upstream directly, through the floor proxy and through the gateway: gateway − direct is
 * what the gateway adds; gateway vs floor is what its features cost over bare proxying. Scenarios: fixed concurrency (throughput) and fixed rate (latency), streaming and not.
 * Prints a table and the gateway's peak RSS (VmHWM). Bounded: a few seconds per scenario, 127.0.0.1 only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { once } from 'node:events';

const quick = process.argv.includes('--quick');
const SECONDS = quick ? 2 : 5;
const CONCURRENCY = 64;
const RATE = 1000;
const root = new URL('..', import.meta.url).pathname;

interface Result {
  requests: number;
  errors: number;
  statusErrors: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

function start(args: string[], match: RegExp, stream: 'stdout' | 'stderr'): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let text = '';
    const source = child[stream];
    source?.on('data', (data: Buffer) => {
      text += data.toString();
      const found = match.exec(text);
      if (found?.[1] !== undefined) resolve({ child, url: found[1] });
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}: ${text}`)));
  });
}

async function load(url: string, mode: 'concurrency' | 'rate', stream: boolean): Promise<Result> {
  const spec = { url, mode, concurrency: CONCURRENCY, rate: RATE, seconds: SECONDS, warmupSeconds: 1, stream };
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/load-generator.ts', JSON.stringify(spec)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await once(child, 'exit');
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Result;
}

/** user + system CPU seconds of a process so far (/proc/<pid>/stat fields 14 and 15, in clock ticks). */
function cpuSeconds(pid: number | undefined): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function peakRssMb(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

// The gateway runs as compiled JavaScript, as it would in production (`npm run build`): under tsx the ESM
// loader's worker thread alone adds tens of MB of RSS. `--tsx` skips the build.
let entry = 'bin/switchyard.js';
if (!process.argv.includes('--tsx')) {
  const outDir = 'tmp/bench-dist';
  const tsc = spawn(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json', '--outDir', outDir, '--rootDir', '.', '--sourceMap', 'false'], { cwd: root, stdio: 'inherit' });
  const [code] = (await once(tsc, 'exit')) as [number];
  if (code !== 0) throw new Error('build failed');
  entry = `${outDir}/src/cli/main.js`;
}
const upstream = await start(['--import', 'tsx', 'test/support/canned-upstream.ts', '0'], /(http:\/\/127\.0\.0\.1:\d+)/, 'stdout');
const floor = await start(['--import', 'tsx', 'bench/floor-proxy.ts', upstream.url], /(http:\/\/127\.0\.0\.1:\d+)/, 'stdout');
const gateway = await start(
  [entry, 'serve', '--upstream', `${upstream.url}/v1`, '--model', 'canned', '--port', '0'],
  /"url":"(http:\/\/[^"]+)"/,
  'stderr',
);

const rows: string[] = [];
const fmt = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : '-');
try {
  for (const stream of [false, true]) {
    for (const mode of ['concurrency', 'rate'] as const) {
      const direct = await load(upstream.url, mode, stream);
      // CPU spent per request (warm-up included in the count): on a shared machine this is the figure that
      // does not depend on how much of a core the process happened to get.
      const cpuMs = async (child: ChildProcess, url: string): Promise<[Result, number]> => {
        const before = cpuSeconds(child.pid);
        const result = await load(url, mode, stream);
        const warmupRequests = mode === 'rate' ? RATE : result.rps;
        return [result, ((cpuSeconds(child.pid) - before) * 1000) / (result.requests + warmupRequests)];
      };
      const [baseline, floorCpuMs] = await cpuMs(floor.child, floor.url);
      const [through, cpuMsPerRequest] = await cpuMs(gateway.child, gateway.url);
      const label = `${stream ? 'stream' : 'json'} ${mode === 'concurrency' ? `c=${CONCURRENCY}` : `${RATE} req/s`}`;
      rows.push(
        `| ${label} | ${direct.rps.toFixed(0)} | ${baseline.rps.toFixed(0)} | ${through.rps.toFixed(0)} | ${fmt(direct.p50)} / ${fmt(direct.p99)} | ${fmt(baseline.p50)} / ${fmt(baseline.p99)} | ${fmt(through.p50)} / ${fmt(through.p99)} | ${fmt(through.p50 - direct.p50)} / ${fmt(through.p99 - direct.p99)} | ${floorCpuMs.toFixed(3)} | ${cpuMsPerRequest.toFixed(3)} | ${through.errors + through.statusErrors} |`,
      );
      process.stderr.write(`${label}: direct ${direct.rps.toFixed(0)} req/s, gateway ${through.rps.toFixed(0)} req/s\n`);
    }
  }
  const rss = peakRssMb(gateway.child.pid);
  const cpu = cpus()[0]?.model ?? 'unknown cpu';
  console.log(`\nmachine: ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${new Date().toISOString()}`);
  console.log(`${SECONDS} s per scenario after 1 s warm-up; latency in ms (p50 / p99); added = gateway − direct\n`);
  console.log(
    '| scenario | direct req/s | floor proxy req/s | gateway req/s | direct p50/p99 | floor p50/p99 | gateway p50/p99 | gateway added p50/p99 | floor CPU ms/req | gateway CPU ms/req | gateway errors |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
  console.log(`\ngateway peak RSS: ${rss.toFixed(0)} MB; load average during the run: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
} finally {
  gateway.child.kill('SIGTERM');
  floor.child.kill('SIGTERM');
  upstream.child.kill('SIGTERM');
}
