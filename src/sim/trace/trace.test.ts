import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { sharedTrace } from '../__fixtures__/shared-traces.js';
import { parseAzure, parseAzureTimestamp } from './azure.js';
import { detectQuantum, parseMooncake } from './mooncake.js';
import { detectFormat, readTrace, shapeTrace } from './read-trace.js';

const fixture = (name: string) => fileURLToPath(new URL(`../__fixtures__/${name}`, import.meta.url));
const conversation = sharedTrace('mooncake_conversation_trace.jsonl');
const azureCode = sharedTrace('AzureLLMInferenceTrace_code.csv');

describe('mooncake reader', () => {
  test('reads the fixture, keeps only full-block hashes, jitters within the 3 s step, sorted', () => {
    const { requests, jitterMs } = readTrace(fixture('mooncake-tiny.jsonl'), { seed: 3 });
    assert.equal(requests.length, 8);
    assert.equal(jitterMs, 3000);
    const first = requests.find((r) => r.promptTokens === 1100);
    assert.deepEqual(first?.blockHashes, [0, 1]); // 1100 tokens = 2 full 512-token blocks (+ a partial one)
    assert.deepEqual(requests.find((r) => r.promptTokens === 100)?.blockHashes, []);
    for (let i = 1; i < requests.length; i++) assert.ok(requests[i - 1]!.arrivalMs <= requests[i]!.arrivalMs);
    const byPrompt = new Map(requests.map((r) => [r.promptTokens, r.arrivalMs]));
    assert.ok(byPrompt.get(600)! >= 3000 && byPrompt.get(600)! < 6000);
    assert.ok(byPrompt.get(2048)! >= 6000 && byPrompt.get(2048)! < 9000);
    assert.deepEqual(readTrace(fixture('mooncake-tiny.jsonl'), { seed: 3 }).requests, requests, 'seeded');
    assert.notDeepEqual(readTrace(fixture('mooncake-tiny.jsonl'), { seed: 4 }).requests, requests);
  });

  test('jitter can be disabled, and ms-resolution traces are not jittered', () => {
    const { requests } = readTrace(fixture('mooncake-tiny.jsonl'), { jitterMs: 0 });
    assert.deepEqual(requests.map((r) => r.arrivalMs), [0, 0, 3000, 3000, 6000, 6000, 6000, 9000]);
    assert.equal(detectQuantum([0, 17, 250, 251, 900]), 0);
    assert.equal(detectQuantum([0, 0, 0, 3000, 3000, 5999, 5999, 5999]), 3000);
  });

  test('malformed lines are errors naming file, line and field', () => {
    const cases: [string, RegExp][] = [
      ['{"timestamp": 0, "input_length": 5, "output_length": 1}\nnot json', /t\.jsonl:2: not valid JSON$/],
      ['\n\n[1,2]', /t\.jsonl:3: expected a JSON object/],
      ['{"timestamp": -1, "input_length": 5, "output_length": 1}', /t\.jsonl:1: field "timestamp"/],
      ['{"timestamp": 0, "input_length": "x", "output_length": 1}', /t\.jsonl:1: field "input_length" must be an integer ≥ 1, got "x"/],
      ['{"timestamp": 0, "input_length": 5}', /t\.jsonl:1: field "output_length"/],
      ['{"timestamp": 0, "input_length": 5, "output_length": 2, "hash_ids": [1, "b"]}', /t\.jsonl:1: field "hash_ids\[1\]"/],
      ['{"timestamp": 0, "input_length": 5, "output_length": 2, "hash_ids": 7}', /t\.jsonl:1: field "hash_ids" must be an array/],
    ];
    for (const [text, message] of cases) assert.throws(() => parseMooncake(text, { file: 't.jsonl', seed: 1 }), message);
  });

  test('the real conversation trace, when present', { skip: conversation === undefined }, () => {
    const { requests, jitterMs } = readTrace(conversation!, { seed: 1 });
    assert.equal(requests.length, 12031);
    assert.equal(jitterMs, 3000);
    assert.ok(requests.every((r) => r.blockHashes.length === Math.floor(r.promptTokens / 512)));
    assert.ok(requests.every((r) => r.promptTokens < 512 || r.blockHashes[0] === 0));
    const mean = requests.reduce((s, r) => s + r.promptTokens, 0) / requests.length;
    assert.ok(Math.abs(mean - 12035) < 1, `mean input ${mean}`);
  });
});

describe('azure reader', () => {
  test('parses wall-clock timestamps with 7 fractional digits', () => {
    const a = parseAzureTimestamp('2023-11-16 18:17:03.9799600')!;
    const b = parseAzureTimestamp('2023-11-16 18:17:03')!;
    assert.equal(a.ms - b.ms, 979);
    assert.ok(Math.abs(a.fracMs - 0.96) < 1e-9);
    assert.equal(parseAzureTimestamp('yesterday'), undefined);
  });

  test('reads the fixture relative to the earliest row, sorted, without hashes', () => {
    const { requests } = readTrace(fixture('azure-tiny.csv'));
    assert.deepEqual(
      requests.map((r) => [Math.round(r.arrivalMs * 1000) / 1000, r.promptTokens, r.outputTokens]),
      [[0, 110, 27], [479.96, 4808, 10], [531.96, 3180, 8], [2500, 512, 1]],
    );
    assert.ok(requests.every((r) => r.blockHashes.length === 0));
  });

  test('malformed rows are errors naming file, line and field', () => {
    const header = 'TIMESTAMP,ContextTokens,GeneratedTokens\n';
    assert.throws(() => parseAzure('a,b,c\n', { file: 'x.csv' }), /^SimInputError: x\.csv:1: header must name TIMESTAMP/);
    assert.throws(() => parseAzure(`${header}2023-11-16 18:17:03.1,12\n`, { file: 'x.csv' }), /x\.csv:2: expected 3 comma-separated fields/);
    assert.throws(() => parseAzure(`${header}2023-11-16 18:17:03.1,1,2\nnoon,1,2\n`, { file: 'x.csv' }), /x\.csv:3: field "TIMESTAMP"/);
    assert.throws(() => parseAzure(`${header}2023-11-16 18:17:03.1,1,-2\n`, { file: 'x.csv' }), /x\.csv:2: field "GeneratedTokens" must be an integer/);
    assert.throws(() => parseAzure('', { file: 'x.csv' }), /x\.csv: empty file/);
  });

  test('the real code trace, when present', { skip: azureCode === undefined }, () => {
    const { requests } = readTrace(azureCode!);
    assert.equal(requests.length, 8819);
    const spanMin = requests.at(-1)!.arrivalMs / 60000;
    assert.ok(spanMin > 56 && spanMin < 58, `span ${spanMin} min`);
  });
});

describe('format detection and shaping', () => {
  test('extension decides the format; unknown extensions and missing files are named', () => {
    assert.equal(detectFormat('a/b.JSONL'), 'mooncake');
    assert.equal(detectFormat('b.csv'), 'azure');
    assert.throws(() => detectFormat('trace.txt'), /trace\.txt: cannot tell the trace format from the extension "\.txt"; pass --format/);
    assert.throws(() => readTrace('/nonexistent/t.jsonl'), /trace file not found: \/nonexistent\/t\.jsonl/);
  });

  test('rate scale divides times from the first arrival; limit keeps the first N', () => {
    const requests = [10, 20, 40].map((arrivalMs) => ({ arrivalMs, promptTokens: 1, outputTokens: 1, blockHashes: [], blockTokens: 512 }));
    assert.deepEqual(shapeTrace(requests, { rateScale: 2 }).map((r) => r.arrivalMs), [0, 5, 15]);
    assert.deepEqual(shapeTrace(requests, { limit: 2 }).map((r) => r.arrivalMs), [0, 10]);
    assert.equal(requests[0]!.arrivalMs, 10, 'input untouched');
    assert.throws(() => shapeTrace(requests, { rateScale: 0 }), /rate scale must be a positive number/);
  });

  test('skip drops the first N, times re-based to the first kept; then limit and rate scale apply', () => {
    const requests = [10, 20, 40, 80, 160].map((arrivalMs) => ({ arrivalMs, promptTokens: 1, outputTokens: 1, blockHashes: [], blockTokens: 512 }));
    assert.deepEqual(shapeTrace(requests, { skip: 2 }).map((r) => r.arrivalMs), [0, 40, 120]);
    assert.deepEqual(shapeTrace(requests, { skip: 1, limit: 2, rateScale: 2 }).map((r) => r.arrivalMs), [0, 10]);
    assert.deepEqual(shapeTrace(requests, { skip: 9 }), []);
    assert.throws(() => shapeTrace(requests, { skip: -1 }), /skip must be a non-negative integer/);
  });
});
