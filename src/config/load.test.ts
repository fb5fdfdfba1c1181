import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ConfigError, loadConfigFile, parseConfig } from './load.js';
import { PROVIDER_IDS } from '../providers/registry.js';
import { POLICY_NAMES } from '../scheduler/registry.js';
import { VENDOR_NAMES } from '../providers/openai-compatible/vendors.js';

const minimal = `
backends:
  - name: pool
    model: m
    replicas: ["http://127.0.0.1:8000/v1"]
models:
  - name: m
    backends: [pool]
`;

function problems(text: string, env: Record<string, string> = {}): string[] {
  try {
    parseConfig(text, { env, providers: PROVIDER_IDS, policies: POLICY_NAMES, vendors: VENDOR_NAMES });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

test('the example config loads (with its secret from the environment)', () => {
  const config = loadConfigFile(new URL('../../examples/switchyard.yaml', import.meta.url).pathname, {
    env: { OPENAI_API_KEY: 'sk-example' },
    providers: PROVIDER_IDS,
    policies: POLICY_NAMES,
  });
  assert.equal(config.models[0]?.name, 'llama-3.1-8b');
  assert.equal(config.backends.find((b) => b.name === 'openai')?.apiKey, 'sk-example');
  assert.equal(config.backends[0]?.usdPerHour, 3.9);
});

test('docs/configuration.md embeds the example verbatim', () => {
  const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
  const example = readFileSync(new URL('../../examples/switchyard.yaml', import.meta.url), 'utf8');
  assert.ok(doc.includes(example.trim()), 'regenerate the example block in docs/configuration.md');
});

test('defaults fill everything but backends and models', () => {
  const config = parseConfig(minimal, { env: {} });
  assert.equal(config.server.port, 4000);
  assert.equal(config.server.host, '127.0.0.1');
  assert.equal(config.server.bodyLimitBytes, 10 * 1024 * 1024);
  assert.equal(config.routing.policy, 'least-loaded');
  assert.equal(config.backends[0]?.provider, 'openai-compatible');
});

test('errors name the path of the bad field', () => {
  assert.deepEqual(problems(`${minimal}    fallbacks: [x]\n`), ['models[0].fallbacks[0]: unknown model "x"']);
  assert.deepEqual(
    problems(minimal.replace('backends: [pool]', 'backends: [nope]')),
    ['models[0].backends[0]: unknown backend "nope"'],
  );
  const [typeProblem] = problems(minimal.replace('model: m', 'model: 5'));
  assert.match(typeProblem ?? '', /^backends\[0\]\.model: /);
  const [unknownField] = problems(`${minimal}extra: 1\n`);
  assert.match(unknownField ?? '', /extra/);
  assert.match(problems(`routing: { policy: magic }\n${minimal}`)[0] ?? '', /^routing\.policy: unknown policy "magic"/);
  assert.match(problems(minimal.replace('model: m', 'model: m\n    provider: carrier-pigeon'))[0] ?? '', /^backends\[0\]\.provider: unknown provider/);
  assert.match(problems(`${minimal}  - name: m\n    backends: [pool]\n`)[0] ?? '', /^models\[1\]\.name: "m" is already used/);
  assert.match(problems(minimal.replace('model: m', 'model: m\n    vendor: vlm'))[0] ?? '', /^backends\[0\]\.vendor: unknown vendor "vlm"/);
});

test('${ENV} interpolation; a missing variable is named with its field', () => {
  const text = minimal.replace('model: m', 'model: m\n    apiKey: ${SECRET_KEY}');
  assert.equal(parseConfig(text, { env: { SECRET_KEY: 'abc' } }).backends[0]?.apiKey, 'abc');
  assert.deepEqual(problems(text), ['backends[0].apiKey: environment variable SECRET_KEY is not set']);
  assert.equal(parseConfig(minimal.replace('model: m', () => 'model: $${LITERAL}'), { env: {} }).backends[0]?.model, '${LITERAL}');
});

test('YAML syntax errors are reported, not thrown raw', () => {
  assert.match(problems('backends: [\n')[0] ?? '', /^YAML: /);
});
