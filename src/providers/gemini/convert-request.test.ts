import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../../errors/gateway-error.js';
import type { ChatRequest } from '../../spec/request.js';
import { convertRequest } from './convert-request.js';
import { convertSchema } from './convert-schema.js';
import { mapFinishReason } from './map-finish-reason.js';
import { mintToolId, parseToolId } from './tool-ids.js';

function base(overrides: Partial<ChatRequest> = {}): ChatRequest {
  return { model: 'm', system: [], messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], stream: false, surface: 'openai', ...overrides };
}

test('JSON Schema → Gemini Schema: whitelist, nullables, const/enum, refs, allOf, formats', () => {
  const schema = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    additionalProperties: false,
    properties: {
      station: { type: 'string', description: 'Station name', minLength: 2, format: 'hostname' },
      when: { type: 'string', format: 'date-time' },
      limit: { type: ['integer', 'null'], minimum: 1, maximum: 20, exclusiveMaximum: 21 },
      kind: { enum: ['ic', 'spr', null] },
      version: { const: 2 },
      stops: { type: 'array', items: { $ref: '#/$defs/stop' }, maxItems: 5 },
      either: { anyOf: [{ type: 'string' }, { type: 'null' }] },
      choice: { oneOf: [{ type: 'string' }, { type: 'number', format: 'double' }] },
      merged: { allOf: [{ type: 'object', properties: { a: { type: 'string' } }, required: ['a'] }, { properties: { b: { type: 'boolean' } } }] },
    },
    required: ['station'],
    $defs: { stop: { type: 'object', properties: { name: { type: 'string' }, next: { $ref: '#/$defs/stop' } }, patternProperties: { x: {} } } },
  };
  const out = convertSchema(schema);
  assert.equal(out.type, 'OBJECT');
  assert.deepEqual(out.required, ['station']);
  assert.equal('additionalProperties' in out, false);
  assert.equal('$schema' in out, false);
  const p = out.properties ?? {};
  assert.deepEqual(p['station'], { type: 'STRING', description: 'Station name', minLength: 2 });
  assert.deepEqual(p['when'], { type: 'STRING', format: 'date-time' });
  assert.deepEqual(p['limit'], { type: 'INTEGER', nullable: true, minimum: 1, maximum: 20 });
  assert.deepEqual(p['kind'], { nullable: true, enum: ['ic', 'spr'] });
  assert.deepEqual(p['version'], { enum: ['2'] });
  assert.equal(p['stops']?.type, 'ARRAY');
  assert.equal(p['stops']?.maxItems, 5);
  assert.equal(p['stops']?.items?.properties?.['name']?.type, 'STRING');
  // The recursive ref is followed a bounded number of times, then left unconstrained.
  let depth = 0;
  let node = p['stops']?.items;
  while (node?.properties?.['next'] !== undefined) {
    node = node.properties['next'];
    depth += 1;
  }
  assert.ok(depth > 0 && depth < 10, `recursion cut at depth ${depth}`);
  assert.deepEqual(p['either'], { nullable: true, type: 'STRING' });
  assert.deepEqual(p['choice'], { anyOf: [{ type: 'STRING' }, { type: 'NUMBER', format: 'double' }] });
  assert.deepEqual(p['merged'], { type: 'OBJECT', properties: { a: { type: 'STRING' }, b: { type: 'BOOLEAN' } }, required: ['a'] });
  assert.equal(JSON.stringify(out).includes('patternProperties'), false);
  assert.equal(JSON.stringify(out).includes('exclusiveMaximum'), false);
});

test('tools, tool choice and an empty parameter schema', () => {
  const tools = [
    { name: 'departures', description: 'Next trains', inputSchema: { type: 'object', properties: { station: { type: 'string' } }, required: ['station'] } },
    { name: 'now', inputSchema: { type: 'object', properties: {} } },
  ];
  const body = convertRequest(base({ tools, toolChoice: { type: 'tool', name: 'departures' } }));
  assert.deepEqual(body.tools, [
    {
      functionDeclarations: [
        { name: 'departures', description: 'Next trains', parameters: { type: 'OBJECT', properties: { station: { type: 'STRING' } }, required: ['station'] } },
        { name: 'now' },
      ],
    },
  ]);
  assert.deepEqual(body.toolConfig, { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['departures'] } });
  assert.deepEqual(convertRequest(base({ tools, toolChoice: { type: 'auto' } })).toolConfig, { functionCallingConfig: { mode: 'AUTO' } });
  assert.deepEqual(convertRequest(base({ tools, toolChoice: { type: 'none' } })).toolConfig, { functionCallingConfig: { mode: 'NONE' } });
  assert.deepEqual(convertRequest(base({ tools, toolChoice: { type: 'required' } })).toolConfig, { functionCallingConfig: { mode: 'ANY' } });
  assert.equal(convertRequest(base({ tools })).toolConfig, undefined);
});

test('images: base64 and data URLs inline, web URLs as fileData; roles and merging', () => {
  const body = convertRequest(
    base({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBOR' } },
            { type: 'image', source: { kind: 'url', url: 'data:image/webp;base64,UklGR' } },
            { type: 'image', source: { kind: 'url', url: 'https://example.com/yard.png?x=1' } },
          ],
        },
        { role: 'user', content: [{ type: 'text', text: 'what is this?' }] },
        { role: 'assistant', content: [{ type: 'reasoning', text: 'thinking' }, { type: 'text', text: 'A yard.' }] },
      ],
    }),
  );
  assert.deepEqual(body.contents, [
    {
      role: 'user',
      parts: [
        { inlineData: { mimeType: 'image/png', data: 'iVBOR' } },
        { inlineData: { mimeType: 'image/webp', data: 'UklGR' } },
        { fileData: { mimeType: 'image/png', fileUri: 'https://example.com/yard.png?x=1' } },
        { text: 'what is this?' },
      ],
    },
    { role: 'model', parts: [{ text: 'A yard.' }] },
  ]);
});

test('generation config: json schema output, thinking budget, penalties', () => {
  const body = convertRequest(
    base({
      topK: 20,
      stop: ['END'],
      presencePenalty: 0.5,
      responseFormat: { type: 'json-schema', name: 'r', schema: { type: 'object', properties: { ok: { type: 'boolean' } }, additionalProperties: false } },
      reasoning: { effort: 'medium' },
    }),
  );
  assert.deepEqual(body.generationConfig, {
    topK: 20,
    stopSequences: ['END'],
    presencePenalty: 0.5,
    responseMimeType: 'application/json',
    responseSchema: { type: 'OBJECT', properties: { ok: { type: 'BOOLEAN' } } },
    thinkingConfig: { thinkingBudget: 8192, includeThoughts: true },
  });
  assert.deepEqual(convertRequest(base({ responseFormat: { type: 'json' } })).generationConfig, { responseMimeType: 'application/json' });
});

test('a tool result with no matching call is a clear invalid_request', () => {
  const body = base({ messages: [{ role: 'user', content: [{ type: 'tool-result', toolUseId: 'nope', content: [] }] }] });
  assert.throws(() => convertRequest(body), (e: unknown) => e instanceof GatewayError && e.code === 'invalid_request' && e.param === 'messages[0].content[0].toolUseId');
});

test('tool ids round-trip a signature, and plain ids pass through', () => {
  const id = mintToolId(undefined, 'ab+/cd==');
  assert.match(id, /^call_[0-9a-f]{24}__ts_[A-Za-z0-9_-]+$/);
  assert.equal(parseToolId(id).signature, 'ab+/cd==');
  assert.deepEqual(parseToolId('toolu_123'), { id: 'toolu_123' });
  assert.equal(mintToolId('fc_1', undefined), 'fc_1');
});

test('finish reason table', () => {
  const table: Array<[string, boolean, string]> = [
    ['STOP', false, 'stop'],
    ['STOP', true, 'tool-calls'],
    ['MAX_TOKENS', false, 'length'],
    ['SAFETY', false, 'content-filter'],
    ['RECITATION', false, 'content-filter'],
    ['BLOCKLIST', false, 'content-filter'],
    ['PROHIBITED_CONTENT', false, 'content-filter'],
    ['SPII', false, 'content-filter'],
    ['MALFORMED_FUNCTION_CALL', true, 'error'],
    ['LANGUAGE', false, 'other'],
    ['OTHER', false, 'other'],
    ['SOMETHING_NEW', false, 'other'],
  ];
  for (const [raw, tools, expected] of table) assert.equal(mapFinishReason(raw, tools), expected, `${raw} tools=${tools}`);
  assert.equal(mapFinishReason(undefined, false), 'other');
});
