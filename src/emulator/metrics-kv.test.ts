import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { PrecisePrefixIndex } from '../scheduler/prefix/precise-index.js';
import { encode } from '../tokenizer/tokenizer.js';
import { chainBlockHashes } from '../util/hash.js';
import { startEmulator, type RunningEmulator } from './emulator.js';
import type { KvEventBatch } from './kv-events.js';
import { metric, scrape, subscribe, waitFor } from './test-support.js';

describe('metrics, KV events and aborts', () => {
  let emulator: RunningEmulator;
  let client: OpenAI;
  const model = 'llama-3.1-8b';
  const labels = { model_name: model };

  before(async () => {
    emulator = await startEmulator({ hardware: 'h100-sxm', model, speed: 20 });
    client = new OpenAI({ baseURL: `${emulator.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  });
  after(() => emulator.close());

  test('/metrics parses, carries vLLM names and labels, and moves under load', async () => {
    const before = await scrape(emulator.url);
    for (const name of [
      'vllm:num_requests_running',
      'vllm:num_requests_waiting',
      'vllm:kv_cache_usage_perc',
      'vllm:prefix_cache_queries_total',
      'vllm:prefix_cache_hits_total',
      'vllm:num_preemptions_total',
      'vllm:prompt_tokens_total',
      'vllm:generation_tokens_total',
      'vllm:time_to_first_token_seconds_count',
      'vllm:inter_token_latency_seconds_count',
      'switchyard_engine_energy_joules_total',
      'switchyard_engine_power_watts',
    ]) {
      assert.notEqual(metric(before, name, labels), undefined, name);
    }
    const info = before.find((s) => s.name === 'vllm:cache_config_info');
    assert.equal(info?.labels['block_size'], '16');
    assert.ok(Number(info?.labels['num_gpu_blocks']) > 0);

    // Load: 12 concurrent streams; sample running/KV usage while they run.
    let peakRunning = 0;
    let peakKv = 0;
    const streams = Array.from({ length: 12 }, async (_, i) => {
      const stream = await client.chat.completions.create({
        model,
        messages: [{ role: 'user', content: `Request ${i}: ${'lorem ipsum dolor '.repeat(40)}` }],
        max_tokens: 200,
        stream: true,
      });
      for await (const chunk of stream) void chunk;
    });
    let finished = false;
    const all = Promise.all(streams).finally(() => {
      finished = true;
    });
    while (!finished) {
      const s = await scrape(emulator.url);
      peakRunning = Math.max(peakRunning, metric(s, 'vllm:num_requests_running', labels) ?? 0);
      peakKv = Math.max(peakKv, metric(s, 'vllm:kv_cache_usage_perc', labels) ?? 0);
      const kv = metric(s, 'vllm:kv_cache_usage_perc', labels) ?? -1;
      assert.ok(kv >= 0 && kv <= 1);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await all;
    const afterLoad = await scrape(emulator.url);
    assert.ok(peakRunning > 0, 'saw requests running');
    assert.ok(peakKv > 0, 'saw KV usage');
    const delta = (name: string): number => (metric(afterLoad, name, labels) ?? 0) - (metric(before, name, labels) ?? 0);
    assert.ok(delta('vllm:prompt_tokens_total') > 0);
    assert.ok(delta('vllm:generation_tokens_total') > 0);
    assert.equal(delta('vllm:time_to_first_token_seconds_count'), 12);
    assert.ok(delta('vllm:prefix_cache_queries_total') > 0);
    assert.ok(delta('switchyard_engine_energy_joules_total') > 0);
    assert.equal(delta('vllm:e2e_request_latency_seconds_count'), 12);
    assert.equal(metric(afterLoad, 'vllm:num_requests_running', labels), 0);
  });

  test('KV events: a request\'s prompt blocks arrive as BlockStored with its hashes, seq without gaps', async () => {
    const controller = new AbortController();
    const batches: KvEventBatch[] = [];
    const subscription = subscribe(`${emulator.url}/kv-events`, controller.signal, (m) => {
      if (m.event === 'kv') batches.push(JSON.parse(m.data) as KvEventBatch);
    });
    // Let the subscription attach before the request.
    await waitFor(async () => {
      const r = await fetch(`${emulator.url}/info`);
      return r.status === 200;
    }, 'info');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const prompt = Array.from({ length: 300 }, (_, i) => `kvword${i}`).join(' ');
    await client.completions.create({ model, prompt, max_tokens: 3 });
    const expected = chainBlockHashes(encode(prompt), 16);
    assert.ok(expected.length > 10);
    await waitFor(() => {
      const stored = new Set(batches.flatMap((b) => b.events.flatMap((e) => (e.type === 'BlockStored' ? e.block_hashes : []))));
      return expected.every((h) => stored.has(h));
    }, 'BlockStored for every prompt block');
    controller.abort();
    await subscription;
    for (let i = 1; i < batches.length; i++) assert.equal(batches[i]?.seq, (batches[i - 1]?.seq ?? 0) + 1);
    const stored = batches.flatMap((b) => b.events).find((e) => e.type === 'BlockStored' && e.block_hashes.includes(expected[0] as number));
    assert.ok(stored && stored.type === 'BlockStored');
    assert.equal(stored.block_size, 16);
    assert.equal(stored.token_ids.length, stored.block_hashes.length * 16);
    // The scheduler's precise index reads these events as vLLM's and recomputes Switchyard keys from
    // token_ids: they must come out equal to the hashes the gateway computes from the prompt.
    const index = new PrecisePrefixIndex();
    for (const batch of batches) for (const e of batch.events) index.applyVllmEvent('r', e);
    assert.equal(index.matchedBlocks('r', expected), expected.length);
    // Replay: a late subscriber asking from seq 0 gets the buffered batches first.
    const replay: KvEventBatch[] = [];
    const c2 = new AbortController();
    const sub2 = subscribe(`${emulator.url}/kv-events?since=0`, c2.signal, (m) => replay.push(JSON.parse(m.data) as KvEventBatch));
    await waitFor(() => replay.length >= batches.length, 'replayed batches');
    c2.abort();
    await sub2;
    assert.equal(replay[0]?.seq, 1);
  });

  test('a client that disconnects mid-stream frees its request in the engine', async () => {
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model, messages: [{ role: 'user', content: 'A very long answer please.' }], max_tokens: 5000, stream: true, ignore_eos: true } as OpenAI.ChatCompletionCreateParamsStreaming,
      { signal: controller.signal },
    );
    let got = 0;
    try {
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta.content) got++;
        if (got === 3) {
          controller.abort();
          break;
        }
      }
    } catch (error) {
      assert.ok(controller.signal.aborted, String(error));
    }
    assert.equal(got, 3);
    await waitFor(() => emulator.replica.open.size === 0, 'the server to see the disconnect');
    const replica = emulator.replica;
    await waitFor(() => replica.pacer.inFlight === 0, 'the pacer to drop the request');
    await waitFor(() => {
      const s = replica.engine.state(replica.pacer.now());
      return s.running === 0 && s.waiting === 0;
    }, 'the engine to be empty');
    const s = await scrape(emulator.url);
    assert.ok((metric(s, 'vllm:request_success_total', { ...labels, finished_reason: 'abort' }) ?? 0) >= 1);
  });
});
