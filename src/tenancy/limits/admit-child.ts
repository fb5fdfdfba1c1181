/**
 * Test child for the cross-process limit tests: one gateway-like process sharing Redis. Tries `count`
 * admissions at once for the key given as JSON and prints what happened as one JSON line.
 * `settle` settles each admission at 15 tokens and $0.01; `leave` exits without settling (the reservations
 * stay, as for requests still running); `hold` keeps admitted requests open until the parent kills it.
 *
 * usage: node --import tsx admit-child.ts <redisUrl> <prefix> <keyJson> <count> <settle|leave|hold> [leaseMs]
 */
import { GatewayError } from '../../errors/index.js';
import type { ApiKeyRecord } from '../types.js';
import { Limiter } from './limiter.js';
import { RedisLimitBackend } from './redis-backend.js';

const [url, prefix, keyJson, countArg, mode, leaseArg] = process.argv.slice(2);
if (url === undefined || prefix === undefined || keyJson === undefined || countArg === undefined) {
  console.error('usage: admit-child.ts <redisUrl> <prefix> <keyJson> <count> <settle|leave|hold> [leaseMs]');
  process.exit(2);
}
const key = JSON.parse(keyJson) as ApiKeyRecord;
const limiter = new Limiter(new RedisLimitBackend({ url, prefix }), { leaseMs: Number(leaseArg ?? 30_000) });

const results = await Promise.allSettled(
  Array.from({ length: Number(countArg) }, () => limiter.admit(key, { promptTokens: 10, maxOutputTokens: 10, estimatedCostUsd: 0.01 })),
);
const denied: Record<string, number> = {};
let admitted = 0;
for (const r of results) {
  if (r.status === 'fulfilled') admitted++;
  else {
    const code = GatewayError.isInstance(r.reason) ? r.reason.code : String(r.reason);
    denied[code] = (denied[code] ?? 0) + 1;
  }
}
if (mode === 'hold') {
  process.stdout.write(`${JSON.stringify({ admitted, denied })}\n`);
  // Hold the slots (and keep renewing them) until killed.
  setInterval(() => {}, 1 << 30);
} else {
  if (mode === 'settle') for (const r of results) if (r.status === 'fulfilled') await r.value.settle({ inputTokens: 10, outputTokens: 5, costUsd: 0.01 });
  await limiter.close();
  process.stdout.write(`${JSON.stringify({ admitted, denied })}\n`);
}
