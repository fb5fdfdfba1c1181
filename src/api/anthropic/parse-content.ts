import type {
  CacheControl,
  ContentBlock,
  ImageBlock,
  ReasoningBlock,
  Role,
  TextBlock,
  ToolResultBlock,
  ToolUseBlock,
} from '../../spec/content.js';
import {
  array,
  invalid,
  isObject,
  join,
  nonEmptyString,
  object,
  oneOf,
  optional,
  string,
  boolean,
  unsupported,
  type Json,
} from './check.js';

/**
 * Content blocks of the Messages API (https://docs.anthropic.com/en/api/messages) → canonical blocks.
 * Block types that exist in Anthropic's API but have no canonical form (server tools, search results,
 * container uploads, PDF documents) are refused with `unsupported_feature` rather than dropped, so a
 * client never gets an answer to a prompt it did not send.
 */

const IMAGE_MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] as const;

/** Anthropic block types we know of but cannot carry through the canonical form. */
const UNMAPPABLE = new Set([
  'search_result',
  'server_tool_use',
  'web_search_tool_result',
  'web_fetch_tool_result',
  'code_execution_tool_result',
  'bash_code_execution_tool_result',
  'text_editor_code_execution_tool_result',
  'tool_search_tool_result',
  'mcp_tool_use',
  'mcp_tool_result',
  'container_upload',
]);

export function parseCacheControl(block: Json, path: string): CacheControl | undefined {
  const raw = block['cache_control'];
  if (raw === undefined || raw === null) return undefined;
  const at = join(path, 'cache_control');
  const value = object(raw, at);
  oneOf(value['type'], join(at, 'type'), ['ephemeral'] as const);
  const ttl = optional(value, 'ttl', at, (v, p) => oneOf(v, p, ['5m', '1h'] as const));
  return ttl === undefined ? { type: 'ephemeral' } : { type: 'ephemeral', ttl };
}

function withCache<T extends { cacheControl?: CacheControl }>(block: T, raw: Json, path: string): T {
  const cacheControl = parseCacheControl(raw, path);
  if (cacheControl !== undefined) block.cacheControl = cacheControl;
  return block;
}

export function parseTextBlock(raw: Json, path: string): TextBlock {
  const text = string(raw['text'], join(path, 'text'));
  return withCache<TextBlock>({ type: 'text', text }, raw, path);
}

function parseImageBlock(raw: Json, path: string): ImageBlock {
  const at = join(path, 'source');
  const source = object(raw['source'], at);
  const kind = oneOf(source['type'], join(at, 'type'), ['base64', 'url', 'file'] as const);
  if (kind === 'file') throw unsupported(join(at, 'type'), 'file sources (Files API) are not supported by this gateway');
  if (kind === 'url') {
    const url = nonEmptyString(source['url'], join(at, 'url'));
    return withCache<ImageBlock>({ type: 'image', source: { kind: 'url', url } }, raw, path);
  }
  const mediaType = oneOf(source['media_type'], join(at, 'media_type'), IMAGE_MEDIA_TYPES);
  const data = nonEmptyString(source['data'], join(at, 'data'));
  return withCache<ImageBlock>({ type: 'image', source: { kind: 'base64', mediaType, data } }, raw, path);
}

/** Plain-text documents become text; PDFs and file references have no canonical form yet. */
function parseDocumentBlock(raw: Json, path: string): TextBlock {
  const at = join(path, 'source');
  const source = object(raw['source'], at);
  const citations = raw['citations'];
  if (isObject(citations) && citations['enabled'] === true) {
    throw unsupported(join(path, 'citations'), 'citations are not supported by this gateway');
  }
  const kind = string(source['type'], join(at, 'type'));
  if (kind === 'text') {
    const text = string(source['data'], join(at, 'data'));
    return withCache<TextBlock>({ type: 'text', text }, raw, path);
  }
  if (kind === 'content' && typeof source['content'] === 'string') {
    return withCache<TextBlock>({ type: 'text', text: source['content'] }, raw, path);
  }
  throw unsupported(join(at, 'type'), `document sources of type "${kind}" are not supported by this gateway (plain-text documents are)`);
}

function parseToolUseBlock(raw: Json, path: string): ToolUseBlock {
  const id = nonEmptyString(raw['id'], join(path, 'id'));
  const name = nonEmptyString(raw['name'], join(path, 'name'));
  const input = object(raw['input'], join(path, 'input'));
  return withCache<ToolUseBlock>({ type: 'tool-use', id, name, input }, raw, path);
}

function parseToolResultBlock(raw: Json, path: string): ToolResultBlock {
  const toolUseId = nonEmptyString(raw['tool_use_id'], join(path, 'tool_use_id'));
  const at = join(path, 'content');
  const content: Array<TextBlock | ImageBlock> = [];
  const value = raw['content'];
  if (typeof value === 'string') {
    content.push({ type: 'text', text: value });
  } else if (value !== undefined && value !== null) {
    array(value, at).forEach((item, i) => {
      const p = join(at, i);
      const block = object(item, p);
      const type = string(block['type'], join(p, 'type'));
      if (type === 'text') content.push(parseTextBlock(block, p));
      else if (type === 'image') content.push(parseImageBlock(block, p));
      else if (type === 'document') content.push(parseDocumentBlock(block, p));
      else if (UNMAPPABLE.has(type)) throw unsupported(join(p, 'type'), `"${type}" blocks are not supported by this gateway`);
      else throw invalid(join(p, 'type'), `unknown block type "${type}" in a tool result`);
    });
  }
  const result: ToolResultBlock = { type: 'tool-result', toolUseId, content };
  const isError = optional(raw, 'is_error', path, boolean);
  if (isError !== undefined) result.isError = isError;
  return withCache(result, raw, path);
}

function parseThinkingBlock(raw: Json, path: string): ReasoningBlock {
  const text = string(raw['thinking'], join(path, 'thinking'));
  const block: ReasoningBlock = { type: 'reasoning', text };
  const signature = optional(raw, 'signature', path, string);
  if (signature !== undefined) block.signature = signature;
  return block;
}

function parseRedactedThinkingBlock(raw: Json, path: string): ReasoningBlock {
  const data = nonEmptyString(raw['data'], join(path, 'data'));
  return { type: 'reasoning', text: '', redactedData: data };
}

const USER_ONLY = new Set(['tool_result', 'image', 'document']);
const ASSISTANT_ONLY = new Set(['tool_use', 'thinking', 'redacted_thinking']);

export function parseContentBlock(item: unknown, path: string, role: Role): ContentBlock {
  const raw = object(item, path);
  const type = string(raw['type'], join(path, 'type'));
  if (role === 'assistant' && USER_ONLY.has(type)) {
    throw invalid(join(path, 'type'), `"${type}" blocks may only appear in user messages`);
  }
  if (role === 'user' && ASSISTANT_ONLY.has(type)) {
    throw invalid(join(path, 'type'), `"${type}" blocks may only appear in assistant messages`);
  }
  switch (type) {
    case 'text':
      return parseTextBlock(raw, path);
    case 'image':
      return parseImageBlock(raw, path);
    case 'document':
      return parseDocumentBlock(raw, path);
    case 'tool_use':
      return parseToolUseBlock(raw, path);
    case 'tool_result':
      return parseToolResultBlock(raw, path);
    case 'thinking':
      return parseThinkingBlock(raw, path);
    case 'redacted_thinking':
      return parseRedactedThinkingBlock(raw, path);
    default:
      if (UNMAPPABLE.has(type)) throw unsupported(join(path, 'type'), `"${type}" blocks are not supported by this gateway`);
      throw invalid(join(path, 'type'), `unknown block type "${type}"`);
  }
}

/** `system`: a string, or an array of text blocks (each may carry cache_control). */
export function parseSystem(value: unknown, path: string): TextBlock[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return value === '' ? [] : [{ type: 'text', text: value }];
  return array(value, path).map((item, i) => {
    const p = join(path, i);
    const raw = object(item, p);
    const type = string(raw['type'], join(p, 'type'));
    if (type !== 'text') throw invalid(join(p, 'type'), `system blocks must be of type "text", got "${type}"`);
    return parseTextBlock(raw, p);
  });
}
