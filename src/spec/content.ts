/**
 * Content blocks: the provider-neutral pieces a message is made of, in the spirit of Bedrock's Converse
 * content blocks and the AI SDK's provider spec. Every API surface and every adapter maps to and from these.
 */

/** Anthropic-style cache breakpoint; providers without explicit caching ignore it. */
export interface CacheControl {
  type: 'ephemeral';
  ttl?: '5m' | '1h';
}

export interface TextBlock {
  type: 'text';
  text: string;
  cacheControl?: CacheControl;
}

export type ImageSource =
  | { kind: 'url'; url: string }
  | { kind: 'base64'; mediaType: string; data: string };

export interface ImageBlock {
  type: 'image';
  source: ImageSource;
  /** OpenAI's `detail` hint, passed through where the backend understands it. */
  detail?: 'auto' | 'low' | 'high';
  cacheControl?: CacheControl;
}

/** A call the assistant makes to a tool. `input` is the parsed JSON arguments. */
export interface ToolUseBlock {
  type: 'tool-use';
  id: string;
  name: string;
  input: unknown;
  cacheControl?: CacheControl;
}

/** The result of a tool call, sent back by the client in a user turn. */
export interface ToolResultBlock {
  type: 'tool-result';
  toolUseId: string;
  content: Array<TextBlock | ImageBlock>;
  isError?: boolean;
  cacheControl?: CacheControl;
}

/**
 * Model reasoning ("thinking"). `signature` is Anthropic's opaque integrity token that must be sent back
 * unchanged on the next turn; `redactedData` holds an encrypted redacted_thinking block.
 */
export interface ReasoningBlock {
  type: 'reasoning';
  text: string;
  signature?: string;
  redactedData?: string;
}

export type ContentBlock = TextBlock | ImageBlock | ToolUseBlock | ToolResultBlock | ReasoningBlock;

/** What an assistant turn can contain in a response. */
export type AssistantBlock = TextBlock | ToolUseBlock | ReasoningBlock;

export type Role = 'user' | 'assistant';

/**
 * A conversation turn. System prompts live on the request, not here; OpenAI's `tool` role becomes a user
 * turn holding tool-result blocks (as in Anthropic's Messages API and Bedrock's Converse).
 */
export interface Message {
  role: Role;
  content: ContentBlock[];
}
