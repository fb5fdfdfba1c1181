import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../../errors/gateway-error.js';
import { Random } from '../../util/random.js';
import { parseMessagesRequest } from './parse-request.js';
import { parseCountTokensRequest } from './count-tokens.js';
import { toAnthropicRequest } from '../../providers/anthropic/convert-request.js';

/**
 * Seeded mutations of a valid, feature-rich body: every field path gets replaced by odd values (null,
 * numbers, strings, arrays, deep objects, prototype keys). The parser must answer each with a ChatRequest or
 * a 400 GatewayError whose `param` names a path present in the body — never a TypeError, never a hang —
 * and whatever it accepts must convert to an Anthropic upstream body without throwing anything but a
 * GatewayError.
 */
const BASE = {
  model: 'claude',
  max_tokens: 100,
  stream: true,
  system: [{ type: 'text', text: 'sys', cache_control: { type: 'ephemeral', ttl: '5m' } }],
  metadata: { user_id: 'u' },
  stop_sequences: ['END'],
  temperature: 0.5,
  thinking: { type: 'enabled', budget_tokens: 2000 },
  tools: [{ name: 't', description: 'd', input_schema: { type: 'object', properties: {} }, cache_control: { type: 'ephemeral' } }],
  tool_choice: { type: 'auto', disable_parallel_tool_use: true },
  output_config: { effort: 'high', format: { type: 'json_schema', schema: { type: 'object' } } },
  messages: [
    { role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } }] },
    {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'hm', signature: 's' },
        { type: 'redacted_thinking', data: 'r' },
        { type: 'tool_use', id: 'toolu_1', name: 't', input: { a: 1 } },
      ],
    },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', is_error: false, content: [{ type: 'text', text: 'ok' }] }] },
  ],
};

const ODD: unknown[] = [
  null,
  undefined,
  0,
  -1,
  1.5,
  1e309,
  '',
  'x',
  '__proto__',
  true,
  [],
  [null],
  {},
  { type: 'text' },
  { type: 'constructor' },
  { __proto__: { type: 'text', text: 'inherited' } },
  Object.create(null),
  [[[]]],
];

type Path = Array<string | number>;

function paths(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((item, i) => paths(item, [...prefix, i], out));
  else if (typeof value === 'object' && value !== null) for (const [key, item] of Object.entries(value)) paths(item, [...prefix, key], out);
  return out;
}

function mutate(body: unknown, path: Path, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  if (typeof body !== 'object' || body === null) return body;
  const copy = structuredClone(body) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) return copy; // an earlier mutation removed this path
    node = next as Record<string | number, unknown>;
  }
  const last = path[path.length - 1] as string | number;
  if (replacement === undefined) delete node[last];
  else node[last] = replacement;
  return copy;
}

test('mutated bodies are parsed or refused with a 400 naming the field, never a crash', () => {
  const rng = new Random(424242);
  const all = paths(BASE);
  let accepted = 0;
  let refused = 0;
  for (let round = 0; round < 3000; round++) {
    let body: unknown = BASE;
    for (let k = 1 + rng.int(2); k > 0; k--) body = mutate(body, all[rng.int(all.length)] as Path, ODD[rng.int(ODD.length)]);
    for (const parse of [parseMessagesRequest, parseCountTokensRequest]) {
      try {
        const request = parse(body);
        accepted++;
        try {
          toAnthropicRequest(request, { upstreamModel: 'up', stream: request.stream });
        } catch (error) {
          assert.ok(GatewayError.isInstance(error), `convert threw ${String(error)} for ${JSON.stringify(body)}`);
        }
      } catch (error) {
        assert.ok(GatewayError.isInstance(error), `parse threw ${String(error)} for ${JSON.stringify(body)}`);
        assert.equal(error.status, 400);
        assert.equal(typeof error.param, 'string');
        refused++;
      }
    }
  }
  assert.ok(accepted > 100 && refused > 100, `both outcomes exercised (${accepted} accepted, ${refused} refused)`);
});
