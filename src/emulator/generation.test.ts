import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { countTokens, tokenize } from '../tokenizer/tokenizer.js';
import { renderChat } from '../tokenizer/chat-template.js';
import { sampleSchema } from './json-schema-sample.js';
import { planOutput } from './output-plan.js';
import { createRng } from './rng.js';
import { generatePieces, NATURAL_MAX, NATURAL_MIN } from './text-gen.js';
import { chooseTool } from './tool-choice.js';
import { WORDS } from './vocabulary.js';
import type { ChatMessage, ToolDef } from './request-types.js';

describe('text generation', () => {
  test('every vocabulary word, with a leading space or capitalised, is one token', () => {
    for (const w of WORDS) {
      assert.equal(countTokens(` ${w}`), 1, w);
      assert.equal(countTokens(w.charAt(0).toUpperCase() + w.slice(1)), 1, w);
    }
  });

  test('the tokenizer splits generated text back into exactly the generated pieces', () => {
    for (let seed = 0; seed < 200; seed++) {
      const pieces = generatePieces(createRng(seed), 1 + (seed % 300));
      assert.equal(pieces.length, 1 + (seed % 300));
      assert.deepEqual(tokenize(pieces.join('')), pieces, `seed ${seed}`);
    }
  });

  test('is deterministic and prefix-stable', () => {
    const a = generatePieces(createRng(7), 100);
    const b = generatePieces(createRng(7), 40);
    assert.deepEqual(a.slice(0, 40), b);
    assert.notDeepEqual(generatePieces(createRng(8), 40), b);
  });
});

describe('output plan', () => {
  const base = { stop: [], ignoreEos: false, tool: undefined };

  test('natural length is within the documented range and counts as completion tokens', () => {
    for (let seed = 0; seed < 50; seed++) {
      const plan = planOutput({ ...base, rng: createRng(seed), maxTokens: 10_000 });
      assert.ok(plan.outputTokens >= NATURAL_MIN && plan.outputTokens <= NATURAL_MAX);
      assert.equal(plan.finishReason, 'stop');
      assert.equal(countTokens(plan.text), plan.outputTokens);
    }
  });

  test('max_tokens below the natural length stops with "length"', () => {
    const plan = planOutput({ ...base, rng: createRng(3), maxTokens: 5 });
    assert.equal(plan.outputTokens, 5);
    assert.equal(plan.finishReason, 'length');
    assert.equal(countTokens(plan.text), 5);
  });

  test('ignore_eos generates exactly max_tokens', () => {
    const plan = planOutput({ ...base, ignoreEos: true, rng: createRng(3), maxTokens: 700 });
    assert.equal(plan.outputTokens, 700);
  });

  test('a stop sequence cuts the text before it, finish "stop"', () => {
    const full = planOutput({ ...base, rng: createRng(11), maxTokens: 10_000 });
    const words = full.text.split(' ');
    const stopWord = ` ${words[Math.floor(words.length / 2)] as string}`;
    const plan = planOutput({ ...base, stop: [stopWord], rng: createRng(11), maxTokens: 10_000 });
    assert.equal(plan.finishReason, 'stop');
    assert.ok(!plan.text.includes(stopWord));
    assert.equal(plan.text, full.text.slice(0, full.text.indexOf(stopWord)));
    assert.ok(plan.outputTokens < full.outputTokens);
    assert.equal(plan.emissions.map((e) => (e.kind === 'text' ? e.text : '')).join(''), plan.text);
  });

  test('a tool call has valid JSON arguments and finish "tool_calls"', () => {
    const tool: ToolDef = { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } };
    const plan = planOutput({ ...base, tool, rng: createRng(1), maxTokens: 1000 });
    assert.equal(plan.finishReason, 'tool_calls');
    assert.equal(typeof (JSON.parse(plan.toolCall?.arguments ?? '') as { city: unknown }).city, 'string');
    assert.equal(plan.outputTokens, plan.emissions.reduce((s, e) => s + e.cost, 0));
  });

  test('a tool call cut by max_tokens finishes with "length"', () => {
    const tool: ToolDef = { name: 'f', parameters: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } } } };
    const plan = planOutput({ ...base, tool, rng: createRng(1), maxTokens: 3 });
    assert.equal(plan.finishReason, 'length');
    assert.equal(plan.outputTokens, 3);
  });
});

describe('JSON-schema sampling', () => {
  const schemas: Record<string, unknown> = {
    weather: {
      type: 'object',
      properties: {
        city: { type: 'string', minLength: 3, maxLength: 40 },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        days: { type: 'integer', minimum: 1, maximum: 14 },
        detailed: { type: 'boolean' },
      },
      required: ['city', 'unit'],
      additionalProperties: false,
    },
    nested: {
      type: 'object',
      properties: {
        when: { type: 'string', format: 'date-time' },
        tags: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 4, uniqueItems: true },
        price: { type: 'number', exclusiveMinimum: 0, maximum: 5, multipleOf: 0.5 },
        owner: { $ref: '#/$defs/person' },
        note: { anyOf: [{ type: 'null' }, { type: 'string' }] },
        kind: { const: 'order' },
        email: { type: 'string', format: 'email' },
        id: { type: ['string', 'null'], format: 'uuid' },
      },
      required: ['when', 'tags', 'owner'],
      $defs: { person: { type: 'object', properties: { name: { type: 'string' }, age: { type: 'integer', minimum: 0 } }, required: ['name'] } },
    },
  };
  for (const [name, schema] of Object.entries(schemas)) {
    test(`${name}: samples validate against the schema`, () => {
      const validator = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
      for (let seed = 0; seed < 50; seed++) {
        const value = sampleSchema(schema, createRng(seed));
        const result = validator.safeParse(JSON.parse(JSON.stringify(value)));
        assert.ok(result.success, `seed ${seed}: ${JSON.stringify(value)} ${result.success ? '' : result.error.message}`);
      }
    });
  }
});

describe('tool choice rule', () => {
  const tools: ToolDef[] = [
    { name: 'search_docs', parameters: {} },
    { name: 'get_weather', parameters: {} },
  ];
  const user = (text: string): ChatMessage => ({ role: 'user', text });
  test('auto calls the tool the last user turn names', () => {
    assert.equal(chooseTool([user('What is the weather? use get_weather')], tools, { kind: 'auto' })?.name, 'get_weather');
    assert.equal(chooseTool([user('please get weather for Oslo')], tools, { kind: 'auto' })?.name, 'get_weather');
    assert.equal(chooseTool([user('use a tool')], tools, { kind: 'auto' })?.name, 'search_docs');
    assert.equal(chooseTool([user('hello there')], tools, { kind: 'auto' }), undefined);
  });
  test('auto answers in text after a tool result; none never calls', () => {
    const messages: ChatMessage[] = [user('call get_weather'), { role: 'tool', text: '{"t":3}', toolCallId: 'x' }];
    assert.equal(chooseTool(messages, tools, { kind: 'auto' }), undefined);
    assert.equal(chooseTool([user('call get_weather')], tools, { kind: 'none' }), undefined);
  });
  test('required and named force a call', () => {
    assert.equal(chooseTool([user('hello')], tools, { kind: 'required' })?.name, 'search_docs');
    assert.equal(chooseTool([user('hello')], tools, { kind: 'named', name: 'get_weather' })?.name, 'get_weather');
  });
});

describe('chat template', () => {
  test('a conversation that grows shares its rendered prefix', () => {
    const first: ChatMessage[] = [{ role: 'system', text: 'Be brief.' }, { role: 'user', text: 'Hi' }];
    const a = renderChat(first, []);
    const b = renderChat([...first, { role: 'assistant', text: 'Hello' }, { role: 'user', text: 'More' }], []);
    assert.ok(b.startsWith(a.slice(0, a.length - '<|im_start|>assistant\n'.length)));
    assert.ok(a.endsWith('<|im_start|>assistant\n'));
  });
});
