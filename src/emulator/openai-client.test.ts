import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { z } from 'zod';
import { countTokens } from '../tokenizer/tokenizer.js';
import { startEmulator, type RunningEmulator } from './emulator.js';

/** The real `openai` SDK against a running emulator: every wire shape the gateway relies on. */
describe('OpenAI SDK against the emulator', () => {
  let emulator: RunningEmulator;
  let client: OpenAI;
  const model = 'llama-3.1-8b';

  before(async () => {
    emulator = await startEmulator({ hardware: 'h100-sxm', model, speed: 50 });
    client = new OpenAI({ baseURL: `${emulator.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  });
  after(() => emulator.close());

  test('chat completion: shape, usage counted by the tokenizer', async () => {
    const r = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Say something.' }], max_tokens: 500 });
    assert.match(r.id, /^chatcmpl-/);
    assert.equal(r.object, 'chat.completion');
    assert.equal(r.model, model);
    assert.equal(typeof r.created, 'number');
    const choice = r.choices[0];
    assert.ok(choice);
    assert.equal(choice.message.role, 'assistant');
    assert.equal(choice.finish_reason, 'stop');
    const text = choice.message.content ?? '';
    assert.ok(text.length > 0);
    assert.ok(r.usage);
    assert.equal(r.usage.completion_tokens, countTokens(text));
    assert.ok(r.usage.prompt_tokens > 0);
    assert.equal(r.usage.total_tokens, r.usage.prompt_tokens + r.usage.completion_tokens);
    assert.equal(r.usage.prompt_tokens_details?.cached_tokens, 0);
  });

  test('the same request gives the same text; a seed changes it', async () => {
    const body = { model, messages: [{ role: 'user' as const, content: 'Repeat me.' }] };
    const a = await client.chat.completions.create(body);
    const b = await client.chat.completions.create(body);
    const c = await client.chat.completions.create({ ...body, seed: 12345 });
    assert.equal(a.choices[0]?.message.content, b.choices[0]?.message.content);
    assert.notEqual(a.choices[0]?.message.content, c.choices[0]?.message.content);
  });

  test('streaming with include_usage: role first, deltas, finish, usage chunk', async () => {
    const stream = await client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'Stream please.' }],
      stream: true,
      stream_options: { include_usage: true },
      seed: 3,
    });
    let text = '';
    let role: string | undefined;
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | undefined;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      assert.equal(chunk.object, 'chat.completion.chunk');
      assert.match(chunk.id, /^chatcmpl-/);
      if (chunk.usage) {
        assert.equal(chunk.choices.length, 0);
        usage = chunk.usage;
        continue;
      }
      const choice = chunk.choices[0];
      assert.ok(choice);
      role ??= choice.delta.role;
      text += choice.delta.content ?? '';
      if (choice.finish_reason) finish = choice.finish_reason;
    }
    assert.equal(role, 'assistant');
    assert.equal(finish, 'stop');
    assert.ok(usage);
    assert.equal(usage.completion_tokens, countTokens(text));
    assert.ok(chunks > usage.completion_tokens, 'one chunk per token plus role, finish and usage');
    const whole = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Stream please.' }], seed: 3 });
    assert.equal(whole.choices[0]?.message.content, text);
  });

  test('max_tokens cuts the answer with finish_reason "length"', async () => {
    const r = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Long answer.' }], max_tokens: 5 });
    assert.equal(r.choices[0]?.finish_reason, 'length');
    assert.equal(r.usage?.completion_tokens, 5);
    const r2 = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Long answer.' }], max_completion_tokens: 7 });
    assert.equal(r2.usage?.completion_tokens, 7);
  });

  test('a stop sequence ends the text before it', async () => {
    const body = { model, messages: [{ role: 'user' as const, content: 'Tell me about rails.' }], seed: 99 };
    const full = (await client.chat.completions.create(body)).choices[0]?.message.content ?? '';
    const words = full.split(' ');
    const stop = ` ${words[Math.floor(words.length / 2)] as string}`;
    const cut = await client.chat.completions.create({ ...body, stop: [stop, 'never-appears'] });
    assert.equal(cut.choices[0]?.finish_reason, 'stop');
    assert.equal(cut.choices[0]?.message.content, full.slice(0, full.indexOf(stop)));
    const stream = await client.chat.completions.create({ ...body, stop, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    assert.equal(text, full.slice(0, full.indexOf(stop)));
  });

  const weatherTool = {
    type: 'function' as const,
    function: {
      name: 'get_weather',
      description: 'Current weather for a city',
      parameters: {
        type: 'object',
        properties: {
          city: { type: 'string' },
          unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
          days: { type: 'integer', minimum: 1, maximum: 7 },
        },
        required: ['city', 'unit'],
        additionalProperties: false,
      },
    },
  };
  const validate = z.fromJSONSchema(weatherTool.function.parameters as Parameters<typeof z.fromJSONSchema>[0]);

  test('tools: a tool call whose arguments validate against the schema', async () => {
    const r = await client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'What is the weather in Oslo? Use get_weather.' }],
      tools: [weatherTool],
    });
    const choice = r.choices[0];
    assert.equal(choice?.finish_reason, 'tool_calls');
    assert.equal(choice?.message.content, null);
    const call = choice?.message.tool_calls?.[0];
    assert.ok(call && call.type === 'function');
    assert.equal(call.function.name, 'get_weather');
    assert.ok(call.id.length > 0);
    const args: unknown = JSON.parse(call.function.arguments);
    assert.ok(validate.safeParse(args).success, call.function.arguments);
    assert.ok((r.usage?.completion_tokens ?? 0) > 0);
  });

  test('tools: auto answers in text when the turn does not ask; none never calls', async () => {
    const r = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Hello!' }], tools: [weatherTool] });
    assert.equal(r.choices[0]?.finish_reason, 'stop');
    const n = await client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'Use get_weather' }],
      tools: [weatherTool],
      tool_choice: 'none',
    });
    assert.equal(n.choices[0]?.finish_reason, 'stop');
  });

  test('tools: streamed as OpenAI does (header with id and name, then argument fragments)', async () => {
    const stream = await client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'hello' }],
      tools: [weatherTool],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      stream: true,
    });
    const deltas: OpenAI.Chat.Completions.ChatCompletionChunk.Choice.Delta.ToolCall[] = [];
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      deltas.push(...(chunk.choices[0]?.delta.tool_calls ?? []));
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    assert.equal(finish, 'tool_calls');
    const [first, ...rest] = deltas;
    assert.ok(first);
    assert.equal(first.index, 0);
    assert.equal(first.type, 'function');
    assert.equal(first.function?.name, 'get_weather');
    assert.equal(first.function?.arguments, '');
    assert.ok(typeof first.id === 'string' && first.id.length > 0);
    assert.ok(rest.length > 1);
    assert.ok(rest.every((d) => d.index === 0 && d.id === undefined));
    const args = rest.map((d) => d.function?.arguments ?? '').join('');
    assert.ok(validate.safeParse(JSON.parse(args)).success, args);
  });

  test('response_format json_schema: the content is JSON that validates', async () => {
    const schema = {
      type: 'object',
      properties: { title: { type: 'string' }, rating: { type: 'integer', minimum: 1, maximum: 5 }, tags: { type: 'array', items: { type: 'string' } } },
      required: ['title', 'rating', 'tags'],
      additionalProperties: false,
    };
    const r = await client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'Review this.' }],
      response_format: { type: 'json_schema', json_schema: { name: 'review', schema, strict: true } },
    });
    const content = r.choices[0]?.message.content ?? '';
    assert.ok(z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]).safeParse(JSON.parse(content)).success, content);
    assert.equal(r.usage?.completion_tokens, countTokens(content));
    const obj = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'JSON please' }], response_format: { type: 'json_object' } });
    assert.equal(typeof JSON.parse(obj.choices[0]?.message.content ?? ''), 'object');
  });

  test('completions endpoint, whole and streamed', async () => {
    const r = await client.completions.create({ model, prompt: 'Once upon a time', max_tokens: 20 });
    assert.match(r.id, /^cmpl-/);
    assert.equal(r.object, 'text_completion');
    assert.equal(r.choices[0]?.finish_reason, 'length');
    assert.equal(r.usage?.completion_tokens, 20);
    assert.equal(countTokens(r.choices[0]?.text ?? ''), 20);
    const stream = await client.completions.create({ model, prompt: 'Once upon a time', max_tokens: 20, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.text ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(text, r.choices[0]?.text);
    assert.equal(usage?.completion_tokens, 20);
  });

  test('a repeated long prompt hits the prefix cache (cached_tokens > 0)', async () => {
    const long = Array.from({ length: 400 }, (_, i) => `word${i % 50}`).join(' ');
    const messages = [{ role: 'system' as const, content: long }, { role: 'user' as const, content: 'Summarise.' }];
    const first = await client.chat.completions.create({ model, messages, max_tokens: 4 });
    const second = await client.chat.completions.create({ model, messages, max_tokens: 4 });
    assert.equal(first.usage?.prompt_tokens_details?.cached_tokens, 0);
    const cached = second.usage?.prompt_tokens_details?.cached_tokens ?? 0;
    assert.ok(cached > 0, `cached_tokens ${cached}`);
    assert.ok(cached <= (second.usage?.prompt_tokens ?? 0));
    assert.equal(cached % 16, 0, 'whole blocks only');
  });

  test('POST /tokenize gives the token ids the engine hashes; the same prompt then hits the cache', async () => {
    const messages = [{ role: 'user', content: 'tokenize me '.repeat(40) }];
    const res = await fetch(`${emulator.url}/tokenize`, { method: 'POST', body: JSON.stringify({ model, messages, return_token_strs: true }) });
    const body = (await res.json()) as { count: number; max_model_len: number; tokens: number[]; token_strs: string[] };
    assert.equal(body.count, body.tokens.length);
    assert.equal(body.token_strs.length, body.count);
    assert.ok(body.max_model_len > 0);
    const r = await client.chat.completions.create({ model, messages: messages as OpenAI.ChatCompletionMessageParam[], max_tokens: 2 });
    assert.equal(r.usage?.prompt_tokens, body.count);
    const plain = await fetch(`${emulator.url}/tokenize`, { method: 'POST', body: JSON.stringify({ prompt: 'Hello world' }) });
    assert.equal(((await plain.json()) as { count: number }).count, 2);
    const bad = await fetch(`${emulator.url}/tokenize`, { method: 'POST', body: '{}' });
    assert.equal(bad.status, 400);
  });

  test('GET /v1/models and /health', async () => {
    const models = await client.models.list();
    assert.deepEqual(models.data.map((m) => m.id), [model]);
    assert.equal(models.data[0]?.object, 'model');
    const health = await fetch(`${emulator.url}/health`);
    assert.equal(health.status, 200);
  });

  test('unknown model is 404 in vLLM\'s words; bad input is 400; n > 1 is refused clearly', async () => {
    await assert.rejects(client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }), (error: unknown) => {
      assert.ok(error instanceof OpenAI.NotFoundError);
      assert.equal(error.status, 404);
      assert.equal(error.message, '404 The model `nope` does not exist.');
      return true;
    });
    await assert.rejects(client.chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }], n: 2 }), (error: unknown) => {
      assert.ok(error instanceof OpenAI.BadRequestError);
      assert.match(error.message, /n > 1 is not supported/);
      return true;
    });
    const bad = await fetch(`${emulator.url}/v1/chat/completions`, { method: 'POST', body: '{"messages": [', headers: { 'content-type': 'application/json' } });
    assert.equal(bad.status, 400);
    const body = (await bad.json()) as { error: { type: string; code: number; message: string } };
    assert.equal(body.error.code, 400);
    assert.equal(body.error.type, 'BadRequestError');
    const tooLong = await client.chat.completions
      .create({ model, messages: [{ role: 'user', content: 'x' }], max_tokens: 10_000_000 })
      .catch((e: unknown) => e);
    assert.ok(tooLong instanceof OpenAI.BadRequestError);
    assert.match(tooLong.message, /maximum context length/);
    const notFound = await fetch(`${emulator.url}/v2/nothing`);
    assert.equal(notFound.status, 404);
    const wrongMethod = await fetch(`${emulator.url}/v1/chat/completions`);
    assert.equal(wrongMethod.status, 405);
  });
});
