import type { CacheControl, ContentBlock, Message, TextBlock } from './content.js';

/** JSON Schema, passed through untouched. */
export type JsonSchema = Record<string, unknown>;

export interface ToolDefinition {
  name: string;
  description?: string;
  inputSchema: JsonSchema;
  /** OpenAI structured-outputs `strict` flag. */
  strict?: boolean;
  /** Anthropic cache breakpoint on the tool list (caches every tool up to and including this one). */
  cacheControl?: CacheControl;
}

export type ToolChoice =
  | { type: 'auto' }
  | { type: 'none' }
  | { type: 'required' } // OpenAI "required", Anthropic "any"
  | { type: 'tool'; name: string };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json' }
  | { type: 'json-schema'; name: string; schema: JsonSchema; strict?: boolean; description?: string };

/** Which public API a request came in through; decides the error shape and the response dialect. */
export type Surface = 'openai' | 'anthropic';

export type Priority = 'interactive' | 'batch';

/** Latency objective for one request, in milliseconds. Unset means "no objective". */
export interface Slo {
  ttftMs?: number;
  tpotMs?: number;
}

/**
 * The canonical chat request every surface produces and every adapter consumes.
 * `model` is the public model name the client asked for; the router resolves it to a backend.
 */
export interface ChatRequest {
  model: string;
  system: TextBlock[];
  messages: Message[];
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stop?: string[];
  seed?: number;
  frequencyPenalty?: number;
  presencePenalty?: number;
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  responseFormat?: ResponseFormat;
  /** Extended thinking / reasoning effort, where the backend has it. */
  reasoning?: { effort?: 'minimal' | 'low' | 'medium' | 'high'; budgetTokens?: number };
  /** End-user id for abuse tracking (OpenAI `user`, Anthropic `metadata.user_id`). */
  user?: string;
  stream: boolean;
  /**
   * Fields of the client's body that the canonical form does not model (vLLM's `repetition_penalty`,
   * `logprobs`, …). An adapter speaking the same dialect as `surface` forwards them unchanged; others drop them.
   */
  extra?: Record<string, unknown>;
  /**
   * Client request headers that belong with `extra` (Anthropic's `anthropic-beta`, which turns on the beta
   * body fields `extra` may carry). Lower-case names; only an adapter speaking `surface`'s dialect sends them.
   */
  headers?: Record<string, string>;
  surface: Surface;
}

/** Legacy text completion (`POST /v1/completions`). */
export interface CompletionRequest {
  model: string;
  prompt: string;
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  stop?: string[];
  seed?: number;
  user?: string;
  stream: boolean;
  extra?: Record<string, unknown>;
}

export interface EmbeddingRequest {
  model: string;
  input: string[] | number[][];
  dimensions?: number;
  encodingFormat?: 'float' | 'base64';
  user?: string;
}

/** Content of any message, for counting and hashing. */
export type AnyContent = ContentBlock;
