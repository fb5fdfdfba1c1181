/**
 * The slice of Bedrock's Converse wire format this adapter speaks (JSON over REST; blobs as base64).
 * Source: AWS API reference (API_runtime_Converse, ContentBlock, TokenUsage, ConverseStreamOutput) and
 * aws/aws-sdk-js-v3 clients/client-bedrock-runtime/src/models; see reference/bedrock.md §1.2–1.3.
 */

export interface CachePoint {
  cachePoint: { type: 'default'; ttl?: '5m' | '1h' };
}

export interface ImageContent {
  format: 'png' | 'jpeg' | 'gif' | 'webp';
  source: { bytes: string } | { s3Location: { uri: string; bucketOwner?: string } };
}

export type ToolResultContent = { text: string } | { image: ImageContent } | { json: unknown };

export interface ReasoningContent {
  reasoningText?: { text: string; signature?: string };
  redactedContent?: string;
}

export type ContentBlock =
  | { text: string }
  | { image: ImageContent }
  | { toolUse: { toolUseId: string; name: string; input: unknown } }
  | { toolResult: { toolUseId: string; content: ToolResultContent[]; status?: 'success' | 'error' } }
  | { reasoningContent: ReasoningContent }
  | CachePoint;

export interface Message {
  role: 'user' | 'assistant';
  content: ContentBlock[];
}

export type SystemBlock = { text: string } | CachePoint;

export interface ToolSpec {
  toolSpec: { name: string; description?: string; inputSchema: { json: unknown } };
}

export type ToolChoice = { auto: Record<string, never> } | { any: Record<string, never> } | { tool: { name: string } };

export interface ConverseRequest {
  messages: Message[];
  system?: SystemBlock[];
  inferenceConfig?: { maxTokens?: number; temperature?: number; topP?: number; stopSequences?: string[] };
  toolConfig?: { tools: Array<ToolSpec | CachePoint>; toolChoice?: ToolChoice };
  additionalModelRequestFields?: Record<string, unknown>;
  requestMetadata?: Record<string, string>;
  guardrailConfig?: Record<string, unknown>;
  performanceConfig?: Record<string, unknown>;
  serviceTier?: Record<string, unknown>;
}

export interface TokenUsage {
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

/** A response content block: what the model can send back (a subset of ContentBlock plus unknown kinds). */
export interface ResponseContentBlock {
  text?: string;
  toolUse?: { toolUseId?: string; name?: string; input?: unknown };
  reasoningContent?: ReasoningContent;
}

export interface ConverseResponse {
  output?: { message?: { role?: string; content?: ResponseContentBlock[] } };
  stopReason?: string;
  usage?: TokenUsage;
  metrics?: { latencyMs?: number };
  additionalModelResponseFields?: Record<string, unknown>;
  trace?: { promptRouter?: { invokedModelId?: string } };
}

/** The nine stop reasons aws-sdk-js-v3 enumerates (models/enums.ts `StopReason`). */
export const STOP_REASONS = [
  'end_turn',
  'tool_use',
  'max_tokens',
  'stop_sequence',
  'guardrail_intervened',
  'content_filtered',
  'model_context_window_exceeded',
  'malformed_model_output',
  'malformed_tool_use',
] as const;
export type StopReason = (typeof STOP_REASONS)[number];
