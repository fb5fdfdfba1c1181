/** A generation request after parsing and validation, for either endpoint. */
export interface ToolDef {
  name: string;
  description?: string;
  /** The tool's JSON Schema (`{}` when the tool declares none). */
  parameters: unknown;
}

export type ToolChoice =
  | { kind: 'none' }
  | { kind: 'auto' }
  | { kind: 'required' }
  | { kind: 'named'; name: string };

export interface ChatMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool';
  /** Text content; image parts become `<image>`. */
  text: string;
  name?: string;
  toolCalls?: { id: string; name: string; arguments: string }[];
  toolCallId?: string;
}

/** `response_format`: prose, any JSON object, or JSON matching a schema. */
export type ResponseFormat = { kind: 'text' } | { kind: 'json_object' } | { kind: 'json_schema'; schema: unknown };

export interface GenerationRequest {
  endpoint: 'chat' | 'completions';
  /** As sent; undefined means the first served name (vLLM's behaviour). */
  model: string | undefined;
  messages: ChatMessage[];
  /** Completions only: text, or token ids used as they are. */
  prompt: string | number[] | undefined;
  maxTokens: number | undefined;
  stop: string[];
  stream: boolean;
  includeUsage: boolean;
  seed: number | undefined;
  /** vLLM's `ignore_eos`: generate exactly max_tokens (load tests, simulator comparisons). */
  ignoreEos: boolean;
  tools: ToolDef[];
  toolChoice: ToolChoice;
  responseFormat: ResponseFormat;
  /** vLLM's `priority` extension: lower is more urgent. */
  priority: number;
}
