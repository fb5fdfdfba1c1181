import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePrometheusText, parseValue } from './prometheus-parse.js';
import { engineLoad, LOAD_METRIC_NAMES } from './engine-load.js';

// A page laid out as vLLM V1's prometheus_client renders it (floats as `3.0`, `_created` series,
// histograms, `cache_config_info` with string labels including "None"), with two data-parallel engines.
const VLLM_PAGE = [
  '# HELP python_gc_objects_collected_total Objects collected during gc',
  '# TYPE python_gc_objects_collected_total counter',
  'python_gc_objects_collected_total{generation="0"} 18245.0',
  '# HELP process_virtual_memory_bytes Virtual memory size in bytes.',
  '# TYPE process_virtual_memory_bytes gauge',
  'process_virtual_memory_bytes 4.2337951744e+010',
  '# HELP vllm:num_requests_running Number of requests in model execution batches.',
  '# TYPE vllm:num_requests_running gauge',
  'vllm:num_requests_running{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 3.0',
  'vllm:num_requests_running{engine="1",model_name="meta-llama/Llama-3.1-8B-Instruct"} 2.0',
  '# HELP vllm:num_requests_waiting Number of requests waiting to be processed.',
  '# TYPE vllm:num_requests_waiting gauge',
  'vllm:num_requests_waiting{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 1.0',
  'vllm:num_requests_waiting{engine="1",model_name="meta-llama/Llama-3.1-8B-Instruct"} 0.0',
  '# HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.',
  '# TYPE vllm:kv_cache_usage_perc gauge',
  'vllm:kv_cache_usage_perc{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 0.5',
  'vllm:kv_cache_usage_perc{engine="1",model_name="meta-llama/Llama-3.1-8B-Instruct"} 0.25',
  '# HELP vllm:prefix_cache_queries_total Prefix cache queries, in terms of number of queried tokens.',
  '# TYPE vllm:prefix_cache_queries_total counter',
  'vllm:prefix_cache_queries_total{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 12800.0',
  'vllm:prefix_cache_queries_created{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 1.7640001234e+09',
  '# HELP vllm:prefix_cache_hits_total Prefix cache hits, in terms of number of cached tokens.',
  '# TYPE vllm:prefix_cache_hits_total counter',
  'vllm:prefix_cache_hits_total{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 6400.0',
  '# HELP vllm:time_to_first_token_seconds Histogram of time to first token in seconds.',
  '# TYPE vllm:time_to_first_token_seconds histogram',
  'vllm:time_to_first_token_seconds_bucket{engine="0",le="0.001",model_name="meta-llama/Llama-3.1-8B-Instruct"} 0.0',
  'vllm:time_to_first_token_seconds_bucket{engine="0",le="0.04",model_name="meta-llama/Llama-3.1-8B-Instruct"} 7.0',
  'vllm:time_to_first_token_seconds_bucket{engine="0",le="+Inf",model_name="meta-llama/Llama-3.1-8B-Instruct"} 9.0',
  'vllm:time_to_first_token_seconds_count{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 9.0',
  'vllm:time_to_first_token_seconds_sum{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 0.4123',
  '# HELP vllm:cache_config_info Information of the LLMEngine CacheConfig',
  '# TYPE vllm:cache_config_info gauge',
  'vllm:cache_config_info{block_size="16",cache_dtype="auto",calculate_kv_scales="False",enable_prefix_caching="True",engine="0",gpu_memory_utilization="0.9",num_cpu_blocks="None",num_gpu_blocks="3000",prefix_caching_hash_algo="sha256",sliding_window="None"} 1.0',
  'vllm:cache_config_info{block_size="16",cache_dtype="auto",calculate_kv_scales="False",enable_prefix_caching="True",engine="1",gpu_memory_utilization="0.9",num_cpu_blocks="None",num_gpu_blocks="1000",prefix_caching_hash_algo="sha256",sliding_window="None"} 1.0',
  '',
].join('\n');

describe('Prometheus text parser', () => {
  test('reads a vLLM page: labels, histograms, HELP and TYPE', () => {
    const parsed = parsePrometheusText(VLLM_PAGE);
    assert.deepEqual(parsed.errors, []);
    assert.equal(parsed.types.get('vllm:time_to_first_token_seconds'), 'histogram');
    assert.equal(parsed.help.get('vllm:kv_cache_usage_perc'), 'KV-cache usage. 1 means 100 percent usage.');
    const inf = parsed.samples.find((s) => s.name === 'vllm:time_to_first_token_seconds_bucket' && s.labels['le'] === '+Inf');
    assert.equal(inf?.value, 9);
    assert.equal(parsed.samples.find((s) => s.name === 'process_virtual_memory_bytes')?.value, 4.2337951744e10);
    const info = parsed.samples.find((s) => s.name === 'vllm:cache_config_info');
    assert.equal(info?.labels['num_cpu_blocks'], 'None');
    assert.equal(info?.labels['block_size'], '16');
  });

  test('escapes in label values and HELP, NaN and infinities, timestamps, trailing commas, CRLF', () => {
    const text = [
      '# HELP odd A help line with a backslash \\\\ and a\\nnewline',
      '# a plain comment line',
      'odd{path="C:\\\\models\\\\llama",quote="say \\"hi\\"",nl="a\\nb",}   NaN',
      'odd{path="x"} +Inf 1764000000123',
      'odd{ path = "y" , q="z" } -Inf',
      'plain 1e-3',
      'unknown_escape{v="a\\tb"} 2',
    ].join('\r\n');
    const parsed = parsePrometheusText(text);
    assert.deepEqual(parsed.errors, []);
    assert.equal(parsed.help.get('odd'), 'A help line with a backslash \\ and a\nnewline');
    const [first, second, third, fourth, fifth] = parsed.samples;
    assert.deepEqual(first?.labels, { path: 'C:\\models\\llama', quote: 'say "hi"', nl: 'a\nb' });
    assert.ok(Number.isNaN(first?.value));
    assert.equal(second?.value, Infinity);
    assert.equal(second?.timestampMs, 1764000000123);
    assert.deepEqual(third?.labels, { path: 'y', q: 'z' });
    assert.equal(third?.value, -Infinity);
    assert.equal(fourth?.value, 0.001);
    assert.equal(fifth?.labels['v'], 'a\\tb');
  });

  test('a bad line is reported with its number and skipped; the rest is read', () => {
    const parsed = parsePrometheusText('good 1\nbad{x="unterminated} 2\n9starts_with_digit 3\nnovalue{a="b"}\nalso_good 4 5 6\nlast 7\n');
    assert.deepEqual(
      parsed.samples.map((s) => [s.name, s.value]),
      [
        ['good', 1],
        ['last', 7],
      ],
    );
    assert.equal(parsed.errors.length, 4);
    assert.match(parsed.errors[0] as string, /^line 2: unterminated value of label x/);
    assert.match(parsed.errors[3] as string, /^line 5: sample also_good has trailing text/);
  });

  test('values follow Go float spellings; garbage is refused', () => {
    assert.equal(parseValue('Inf'), Infinity);
    assert.equal(parseValue('-inf'), -Infinity);
    assert.equal(parseValue('.5'), 0.5);
    assert.equal(parseValue('3.0'), 3);
    assert.equal(parseValue('1E+3'), 1000);
    assert.throws(() => parseValue('12abc'), /bad value/);
    assert.throws(() => parseValue(''), /bad value/);
  });

  test('`only` keeps the wanted series', () => {
    const parsed = parsePrometheusText(VLLM_PAGE, { only: (name) => LOAD_METRIC_NAMES.has(name) });
    assert.ok(parsed.samples.length > 0);
    assert.ok(parsed.samples.every((s) => LOAD_METRIC_NAMES.has(s.name)));
  });
});

describe('engine load from /metrics', () => {
  test('vLLM with two data-parallel engines: counts add up, KV usage is block-weighted', () => {
    const load = engineLoad(parsePrometheusText(VLLM_PAGE).samples);
    assert.deepEqual(load, {
      engine: 'vllm',
      running: 5,
      waiting: 1,
      kvUsage: (0.5 * 3000 + 0.25 * 1000) / 4000,
      kvBlocksTotal: 4000,
      blockSize: 16,
      prefixQueriedTokens: 12800,
      prefixHitTokens: 6400,
    });
  });

  test('SGLang names', () => {
    const text = [
      '# TYPE sglang:num_running_reqs gauge',
      'sglang:num_running_reqs{model_name="qwen",tp_rank="0"} 7.0',
      'sglang:num_queue_reqs{model_name="qwen",tp_rank="0"} 2.0',
      'sglang:token_usage{model_name="qwen",tp_rank="0"} 0.31',
      'sglang:cache_config_info{model_name="qwen",num_pages="81920",page_size="1"} 1.0',
    ].join('\n');
    assert.deepEqual(engineLoad(parsePrometheusText(text).samples), { engine: 'sglang', running: 7, waiting: 2, kvUsage: 0.31, kvBlocksTotal: 81920, blockSize: 1 });
  });

  test('vLLM V0 KV gauge is read when the V1 one is absent; a page without load gauges gives nothing', () => {
    const v0 = 'vllm:num_requests_running{model_name="m"} 1\nvllm:num_requests_waiting{model_name="m"} 0\nvllm:gpu_cache_usage_perc{model_name="m"} 0.125\n';
    assert.equal(engineLoad(parsePrometheusText(v0).samples)?.kvUsage, 0.125);
    assert.equal(engineLoad(parsePrometheusText('llamacpp:requests_processing 1\n').samples), undefined);
    const oldSglang = 'sglang:num_running_reqs{name="g"} 1\nsglang:num_queue_reqs{name="g"} 0\nsglang:max_total_num_tokens{name="g"} 161721.0\n';
    const load = engineLoad(parsePrometheusText(oldSglang).samples);
    assert.deepEqual([load?.kvBlocksTotal, load?.blockSize], [161721, 1]);
  });
});
