import type { EngineEvent, EngineState, ReplicaSpec, StepResult } from '../engine/types.js';
import { Histogram, MetricWriter, buckets125, type Labels } from './prometheus-text.js';

/**
 * The replica's `/metrics`, with vLLM V1's names, types and labels (`model_name`, `engine`), so the
 * gateway's scraper, llm-d's EPP and Grafana dashboards built for vLLM read it unchanged
 * (reference/scheduling.md §1.7; vLLM docs design/metrics.md). Latencies are in engine time: with
 * `--speed 10` a histogram reports what the modelled engine would take, not the 10× shorter wall time.
 * Switchyard's own series (energy, power, replica info) use the `switchyard_engine_` prefix.
 */

// Bucket bounds as vLLM V1 declares them (vllm/v1/metrics/loggers.py).
const TTFT_BUCKETS = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0];
const ITL_BUCKETS = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0];
const LATENCY_BUCKETS = [0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0];

export type FinishedReason = 'stop' | 'length' | 'abort' | 'tool_calls';

interface Tracked {
  arrivalMs: number;
  promptTokens: number;
  scheduledMs?: number;
  firstTokenMs?: number;
  lastTokenMs?: number;
  finishReason: FinishedReason;
}

export interface MetricsContext {
  spec: ReplicaSpec;
  servedModelName: string;
  replicaId: string;
  pool: string;
  /** Engine state at engine time `nowMs`. */
  state: () => EngineState;
  nowMs: () => number;
}

export class EngineMetrics {
  #ctx: MetricsContext;
  #tracked = new Map<string, Tracked>();
  #promptTokens = 0;
  #generationTokens = 0;
  #success = new Map<string, number>();
  #ttft = new Histogram(TTFT_BUCKETS);
  #itl = new Histogram(ITL_BUCKETS);
  #e2e = new Histogram(LATENCY_BUCKETS);
  #tpot = new Histogram(ITL_BUCKETS);
  #queue = new Histogram(LATENCY_BUCKETS);
  #promptHist: Histogram;
  #genHist: Histogram;
  #lastStep: StepResult | undefined;

  constructor(ctx: MetricsContext) {
    this.#ctx = ctx;
    const maxLen = ctx.spec.model.maxContextTokens;
    this.#promptHist = new Histogram(buckets125(maxLen));
    this.#genHist = new Histogram(buckets125(maxLen));
  }

  /** Registers a request the engine is about to run, with the finish reason its plan will end with. */
  track(id: string, arrivalMs: number, promptTokens: number, finishReason: FinishedReason): void {
    this.#tracked.set(id, { arrivalMs, promptTokens, finishReason });
  }

  onStep(step: StepResult): void {
    this.#lastStep = step;
    for (const event of step.events) this.#onEvent(event);
  }

  #onEvent(event: EngineEvent): void {
    if (!('id' in event)) return;
    const t = this.#tracked.get(event.id);
    if (t === undefined) return;
    switch (event.type) {
      case 'scheduled':
        if (t.scheduledMs === undefined) {
          t.scheduledMs = event.atMs;
          this.#queue.observe((event.atMs - t.arrivalMs) / 1000);
        }
        break;
      case 'first-token':
        // Prompt tokens count when their prefill completes, as vLLM's iteration stats do.
        if (t.firstTokenMs === undefined) this.#promptTokens += t.promptTokens;
        t.firstTokenMs = event.atMs;
        t.lastTokenMs = event.atMs;
        this.#ttft.observe((event.atMs - t.arrivalMs) / 1000);
        break;
      case 'tokens':
        this.#generationTokens += event.count;
        if (t.lastTokenMs !== undefined && event.atMs > t.lastTokenMs) {
          const gap = (event.atMs - t.lastTokenMs) / 1000 / event.count;
          for (let i = 0; i < event.count; i++) this.#itl.observe(gap);
        }
        t.lastTokenMs = event.atMs;
        break;
      case 'finished': {
        this.#tracked.delete(event.id);
        // vLLM's finished reasons are stop, length and abort; a tool call ends with a stop.
        const reason = event.aborted ? 'abort' : t.finishReason === 'tool_calls' ? 'stop' : t.finishReason;
        this.#success.set(reason, (this.#success.get(reason) ?? 0) + 1);
        if (!event.aborted) {
          this.#e2e.observe((event.atMs - t.arrivalMs) / 1000);
          // Per-request TPOT, as vLLM's request_time_per_output_token and the simulator define it.
          if (event.outputTokens > 1 && t.firstTokenMs !== undefined) {
            this.#tpot.observe((event.atMs - t.firstTokenMs) / 1000 / (event.outputTokens - 1));
          }
          this.#promptHist.observe(event.promptTokens);
          this.#genHist.observe(event.outputTokens);
        }
        break;
      }
      default:
        break;
    }
  }

  /** Average power over the step in flight, or idle power between steps. */
  powerWatts(): number {
    const step = this.#lastStep;
    const { hardware, tensorParallel } = this.#ctx.spec;
    const now = this.#ctx.nowMs();
    if (step !== undefined && now <= step.endMs + (step.endMs - step.startMs) && step.endMs > step.startMs) {
      return step.energyJ / ((step.endMs - step.startMs) / 1000);
    }
    return hardware.idleWatts * tensorParallel;
  }

  render(): string {
    const { spec, servedModelName, replicaId, pool } = this.#ctx;
    const s = this.#ctx.state();
    const l: Labels = { engine: '0', model_name: servedModelName };
    const w = new MetricWriter();
    w.family('vllm:num_requests_running', 'gauge', 'Number of requests in model execution batches.').sample('vllm:num_requests_running', l, s.running);
    w.family('vllm:num_requests_waiting', 'gauge', 'Number of requests waiting to be processed.').sample('vllm:num_requests_waiting', l, s.waiting);
    w.family('vllm:kv_cache_usage_perc', 'gauge', 'KV-cache usage. 1 means 100 percent usage.').sample('vllm:kv_cache_usage_perc', l, s.kvUsage);
    w.family('vllm:prefix_cache_queries', 'counter', 'Prefix cache queries, in terms of number of queried tokens.').sample('vllm:prefix_cache_queries_total', l, s.prefixQueriesTokens);
    w.family('vllm:prefix_cache_hits', 'counter', 'Prefix cache hits, in terms of number of cached tokens.').sample('vllm:prefix_cache_hits_total', l, s.prefixHitsTokens);
    w.family('vllm:num_preemptions', 'counter', 'Cumulative number of preemptions from the engine.').sample('vllm:num_preemptions_total', l, s.preemptions);
    w.family('vllm:prompt_tokens', 'counter', 'Number of prefill tokens processed.').sample('vllm:prompt_tokens_total', l, this.#promptTokens);
    w.family('vllm:generation_tokens', 'counter', 'Number of generation tokens processed.').sample('vllm:generation_tokens_total', l, this.#generationTokens);
    w.family('vllm:request_success', 'counter', 'Count of successfully processed requests.');
    for (const reason of ['stop', 'length', 'abort']) {
      w.sample('vllm:request_success_total', { ...l, finished_reason: reason }, this.#success.get(reason) ?? 0);
    }
    w.family('vllm:time_to_first_token_seconds', 'histogram', 'Histogram of time to first token in seconds.').histogram('vllm:time_to_first_token_seconds', l, this.#ttft);
    w.family('vllm:inter_token_latency_seconds', 'histogram', 'Histogram of inter-token latency in seconds.').histogram('vllm:inter_token_latency_seconds', l, this.#itl);
    w.family('vllm:request_time_per_output_token_seconds', 'histogram', 'Histogram of time_per_output_token_seconds per request.').histogram('vllm:request_time_per_output_token_seconds', l, this.#tpot);
    w.family('vllm:e2e_request_latency_seconds', 'histogram', 'Histogram of e2e request latency in seconds.').histogram('vllm:e2e_request_latency_seconds', l, this.#e2e);
    w.family('vllm:request_queue_time_seconds', 'histogram', 'Histogram of time spent in WAITING phase for request.').histogram('vllm:request_queue_time_seconds', l, this.#queue);
    w.family('vllm:request_prompt_tokens', 'histogram', 'Number of prefill tokens processed.').histogram('vllm:request_prompt_tokens', l, this.#promptHist);
    w.family('vllm:request_generation_tokens', 'histogram', 'Number of generation tokens processed.').histogram('vllm:request_generation_tokens', l, this.#genHist);
    w.family('vllm:cache_config_info', 'gauge', 'Information of the LLMEngine CacheConfig').sample(
      'vllm:cache_config_info',
      {
        block_size: spec.engine.blockSize,
        cache_dtype: 'auto',
        enable_prefix_caching: spec.engine.enablePrefixCaching ? 'True' : 'False',
        engine: '0',
        gpu_memory_utilization: spec.engine.gpuMemoryUtilization,
        num_gpu_blocks: s.kvBlocksTotal,
      },
      1,
    );
    w.family('switchyard_engine_energy_joules', 'counter', 'Energy the emulated replica consumed since start, idle included (engine model).').sample('switchyard_engine_energy_joules_total', l, s.energyJ);
    w.family('switchyard_engine_power_watts', 'gauge', 'Power of the emulated replica now: the current step\'s average, or idle power.').sample('switchyard_engine_power_watts', l, this.powerWatts());
    w.family('switchyard_engine_busy_seconds', 'counter', 'Engine time spent stepping since start.').sample('switchyard_engine_busy_seconds_total', l, s.busyMs / 1000);
    w.family('switchyard_engine_info', 'gauge', 'The emulated replica: pool, hardware, model, tensor parallelism.').sample(
      'switchyard_engine_info',
      { replica: replicaId, pool, hardware: spec.hardware.id, model: spec.model.id, tensor_parallel: spec.tensorParallel, model_name: servedModelName },
      1,
    );
    return w.text();
  }
}
