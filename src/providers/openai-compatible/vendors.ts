import type { ChatRequest } from '../../spec/request.js';

/**
 * Per-vendor quirks of OpenAI-compatible servers, as data and hooks selected by the backend's `vendor`
 * option — never as `if (provider === …)` in the core (the Portkey handlerUtils anti-pattern).
 */
export interface VendorHooks {
  /** Field for the output cap: OpenAI's reasoning models reject `max_tokens` and want `max_completion_tokens`. */
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
  /** Whether the server understands `top_k` (vLLM, SGLang, llama.cpp do; OpenAI does not). */
  topK: boolean;
  /** Whether to send `stream_options: {include_usage: true}`; every current server listed here accepts it. */
  streamUsage: boolean;
  /** How to pass a reasoning effort, if at all. */
  reasoningEffort: boolean;
  /** Last word on the body before it is sent. */
  transformRequestBody?: (body: Record<string, unknown>, request: ChatRequest) => void;
}

const BASE: VendorHooks = { maxTokensField: 'max_tokens', topK: true, streamUsage: true, reasoningEffort: false };

export const VENDORS: Record<string, VendorHooks> = {
  // vLLM: OpenAI protocol plus sampling extras (top_k, repetition_penalty, …) which pass through `extra`.
  vllm: BASE,
  sglang: BASE,
  // llama.cpp server: /v1/chat/completions, accepts top_k; ignores unknown fields.
  llamacpp: BASE,
  // Ollama's OpenAI layer: no top_k in its documented field list.
  ollama: { ...BASE, topK: false },
  // TGI Messages API.
  tgi: { ...BASE, topK: false },
  // OpenAI and hosted APIs that copy it.
  openai: { maxTokensField: 'max_completion_tokens', topK: false, streamUsage: true, reasoningEffort: true },
  // A server we know nothing about: the plainest OpenAI body.
  generic: { ...BASE, topK: false },
};

export const VENDOR_NAMES: readonly string[] = Object.keys(VENDORS);

export function vendorHooks(name: unknown): VendorHooks {
  if (typeof name !== 'string') return VENDORS.generic as VendorHooks;
  const hooks = VENDORS[name];
  if (hooks === undefined) throw new Error(`unknown openai-compatible vendor "${name}"; known: ${VENDOR_NAMES.join(', ')}`);
  return hooks;
}
