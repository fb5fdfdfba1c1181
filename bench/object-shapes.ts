/**
 * How much old-generation growth a few ways of building small objects cause on this Node's V8: the
 * evidence behind docs/decisions/2026-12-06-request-path-allocation.md. Each pattern builds two million
 * objects (the last 64 kept alive, as a busy request path would); the figure is the old space's growth per
 * object. A pattern near 0 leaves its garbage to the young generation's cheap scavenges; one that grows the
 * old space makes the heap swell between full collections.
 *
 *   node --import tsx bench/object-shapes.ts
 */
import v8 from 'node:v8';

const oldSpaceUsed = (): number => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')?.space_used_size ?? 0;

const base: Record<string, string> = { 'content-type': 'application/json' };
const meta = { id: 'chatcmpl-1', model: 'm', created: 1 };

const patterns: Record<string, (i: number) => object> = {
  'plain literal': (i) => ({ id: meta.id, model: meta.model, created: meta.created, includeUsage: i % 2 === 0 }),
  'Object.assign copy + sets': (i) => {
    const h = Object.assign({}, base);
    h['x-request-id'] = `r${i}`;
    return h;
  },
  'spread copy': (i) => {
    const h = { ...base };
    h['x-request-id'] = `r${i}`;
    return h;
  },
  'spread + property': (i) => ({ ...meta, includeUsage: i % 2 === 0 }),
  'conditional spreads': (i) => ({ ...(i % 3 === 0 ? {} : { promptTokens: i }), ...(i % 5 === 0 ? {} : { outputTokens: i }) }),
  'literal with a getter': (i) => ({
    id: i,
    get hashes(): number {
      return i;
    },
  }),
  'class instance with a getter': (i) => new WithGetter(i),
};

class WithGetter {
  constructor(readonly id: number) {}
  get hashes(): number {
    return this.id;
  }
}

const COUNT = 2_000_000;
console.log(`Node ${process.version}, V8 ${process.versions.v8}: old-space growth per object, ${COUNT.toLocaleString()} objects each`);
for (const [name, make] of Object.entries(patterns)) {
  const keep: object[] = [];
  let grown = 0;
  let last = oldSpaceUsed();
  for (let i = 0; i < COUNT; i++) {
    keep.push(make(i));
    if (keep.length > 64) keep.shift();
    if (i % 1000 === 0) {
      const now = oldSpaceUsed();
      if (now > last) grown += now - last;
      last = now;
    }
  }
  console.log(`${name.padEnd(30)} ${(grown / COUNT).toFixed(1).padStart(7)} B`);
}
