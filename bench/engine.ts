/**
 * Engine throughput benchmark: replays a synthetic workload the size of the simulator's target (1,000,000
 * requests over 128 replicas of Llama-3.1-8B on H100) through the engine alone, replica by replica, and
 * prints steps/s and requests/s of wall time. The simulator's own overhead comes on top.
 *
 *   node --import tsx bench/engine.ts [requests=1000000] [replicas=128] [ratePerReplica=20]
 */
import { createEngine } from '../src/engine/engine.js';
import { replicaSpec } from '../src/engine/replica-spec.js';
import type { EngineRequest } from '../src/engine/types.js';

const total = Number(process.argv[2] ?? 1_000_000);
const replicas = Number(process.argv[3] ?? 128);
const ratePerReplica = Number(process.argv[4] ?? 20); // requests/s arriving at each replica
const hashBlockTokens = 16;

let seed = 42;
function rnd(): number {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return (seed + 0.5) / 4294967296;
}
function lognormal(mean: number, sigma: number): number {
  const z = Math.sqrt(-2 * Math.log(rnd())) * Math.cos(2 * Math.PI * rnd());
  return mean * Math.exp(sigma * z - (sigma * sigma) / 2);
}

/** Requests for one replica: 8 shared system prompts of 512 tokens (half the requests), the rest unique. */
function replicaWorkload(replica: number, count: number): EngineRequest[] {
  const out: EngineRequest[] = new Array<EngineRequest>(count);
  let t = 0;
  for (let i = 0; i < count; i++) {
    t += (-Math.log(rnd()) / ratePerReplica) * 1000;
    const prompt = Math.max(16, Math.min(30_000, Math.round(lognormal(1000, 1))));
    const output = Math.max(1, Math.min(4000, Math.round(lognormal(200, 1))));
    const blocks = Math.floor(prompt / hashBlockTokens);
    const hashes = new Array<number>(blocks);
    const shared = rnd() < 0.5 ? 1 + Math.floor(rnd() * 8) : 0;
    const uniqueBase = (replica * 1e7 + i) * 4096;
    for (let b = 0; b < blocks; b++) hashes[b] = shared > 0 && b < 32 ? shared * 1e6 + b : uniqueBase + b;
    out[i] = { id: `r${replica}-${i}`, promptTokens: prompt, blockHashes: hashes, hashBlockTokens, outputTokens: output, priority: 0, arrivalMs: t };
  }
  return out;
}

function run(tokenEvents: boolean, requests: number, reps: number): void {
  const spec = replicaSpec('llama-3.1-8b', 'h100-sxm');
  const perReplica = Math.ceil(requests / reps);
  let steps = 0;
  let finished = 0;
  let outputTokens = 0;
  let simMs = 0;
  let engineNs = 0n;
  let engineCpuUs = 0;
  let preemptions = 0;
  let hits = 0;
  let queries = 0;
  const wall0 = process.hrtime.bigint();
  for (let r = 0; r < reps; r++) {
    const reqs = replicaWorkload(r, perReplica);
    const t0 = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    const engine = createEngine(spec, { emitTokenEvents: tokenEvents });
    let next = 0;
    let now = 0;
    for (;;) {
      while (next < reqs.length && (reqs[next] as EngineRequest).arrivalMs <= now) {
        const q = reqs[next++] as EngineRequest;
        engine.add(q, q.arrivalMs);
      }
      if (!engine.hasWork()) {
        if (next >= reqs.length) break;
        now = (reqs[next] as EngineRequest).arrivalMs;
        continue;
      }
      const s = engine.step(now);
      steps++;
      for (const e of s.events) {
        if (e.type === 'finished') {
          finished++;
          outputTokens += e.outputTokens;
        }
      }
      now = s.endMs;
    }
    engineNs += process.hrtime.bigint() - t0;
    const cpu = process.cpuUsage(cpu0);
    engineCpuUs += cpu.user + cpu.system;
    const st = engine.state(now);
    preemptions += st.preemptions;
    hits += st.prefixHitsTokens;
    queries += st.prefixQueriesTokens;
    simMs += now;
  }
  const wallS = Number(process.hrtime.bigint() - wall0) / 1e9;
  // CPU time, not wall time: the figure that matters is the engine's cost, and this machine is shared.
  const engineS = engineCpuUs / 1e6;
  const engineWallS = Number(engineNs) / 1e9;
  console.log(
    [
      `token events ${tokenEvents ? 'on ' : 'off'}: ${finished.toLocaleString()} requests on ${reps} replicas`,
      `  engine CPU time ${engineS.toFixed(2)} s (engine wall ${engineWallS.toFixed(2)} s; total wall incl. workload generation ${wallS.toFixed(2)} s)`,
      `  ${steps.toLocaleString()} steps -> ${(steps / engineS / 1e6).toFixed(2)} M steps per CPU-second`,
      `  ${(finished / engineS / 1e3).toFixed(1)} k requests and ${(outputTokens / engineS / 1e6).toFixed(1)} M output tokens per CPU-second`,
      `  simulated ${(simMs / reps / 1000).toFixed(0)} s per replica; mean batch ${(outputTokens / steps).toFixed(1)} tokens/step; ` +
        `prefix hit ${((100 * hits) / queries).toFixed(1)}%; preemptions ${preemptions}`,
    ].join('\n'),
  );
}

run(false, total, replicas);
run(true, Math.min(total, 100_000), Math.min(replicas, 16));
