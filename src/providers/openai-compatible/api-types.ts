/**
 * The OpenAI chat-completions wire format, as much of it as the adapter reads. Fields are optional and
 * nullable on purpose: vLLM, SGLang, llama.cpp, Ollama and TGI each leave out different ones
 * (after the AI SDK's `openai-compatible-api-types.ts`, "minimal and nullish").
 * Source: https://platform.openai.com/docs/api-reference/chat/object and …/chat/streaming.
 */
export interface WireUsage {
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  total_tokens?: number | null;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
  completion_tokens_details?: { reasoning_tokens?: number | null } | null;
}

export interface WireToolCall {
  index?: number;
  id?: string | null;
  type?: 'function' | null;
  function?: { name?: string | null; arguments?: string | null } | null;
}

export interface WireMessage {
  role?: string | null;
  content?: string | null;
  refusal?: string | null;
  /** vLLM, SGLang and DeepSeek put reasoning here; some servers call it `reasoning`. */
  reasoning_content?: string | null;
  reasoning?: string | null;
  tool_calls?: WireToolCall[] | null;
}

export interface WireChoice {
  index?: number;
  message?: WireMessage | null;
  delta?: WireMessage | null;
  finish_reason?: string | null;
  /** Legacy completions. */
  text?: string | null;
  /** vLLM: the stop string or token id that ended generation. */
  stop_reason?: string | number | null;
}

export interface WireChatResponse {
  id?: string | null;
  object?: string | null;
  created?: number | null;
  model?: string | null;
  choices?: WireChoice[] | null;
  usage?: WireUsage | null;
  error?: unknown;
}

export interface WireEmbeddingResponse {
  model?: string | null;
  data?: Array<{ index?: number; embedding?: number[] | string }> | null;
  usage?: WireUsage | null;
}
