import type { Message, Role } from '../../spec/content.js';
import type { ChatRequest } from '../../spec/request.js';
import {
  array,
  boolean,
  integer,
  invalid,
  join,
  nonEmptyString,
  number,
  object,
  oneOf,
  optional,
  string,
  type Json,
} from './check.js';
import { parseContentBlock, parseSystem } from './parse-content.js';
import { parseToolChoice, parseTools } from './parse-tools.js';
import { parseOutputConfig, parseThinking } from './parse-reasoning.js';

/** Top-level fields the canonical form models; everything else travels in `extra`. */
const MODELLED = new Set([
  'model',
  'max_tokens',
  'messages',
  'system',
  'stop_sequences',
  'temperature',
  'top_p',
  'top_k',
  'metadata',
  'tools',
  'tool_choice',
  'thinking',
  'output_config',
  'stream',
]);

/**
 * Validates an Anthropic `POST /v1/messages` body and turns it into the canonical ChatRequest.
 * Field rules follow https://docs.anthropic.com/en/api/messages and the `MessageCreateParams` type of
 * @anthropic-ai/sdk. Unknown top-level fields go to `extra` untouched, so an Anthropic upstream still
 * receives them (service_tier, container, context_management, …); other backends ignore them.
 */
export function parseMessagesRequest(body: unknown): ChatRequest {
  const raw = object(body, '');
  const request = parseCommon(raw);
  request.maxOutputTokens = integer(raw['max_tokens'], 'max_tokens', 1);
  const stream = optional(raw, 'stream', '', boolean);
  request.stream = stream ?? false;
  return request;
}

/** Everything a messages body and a count_tokens body share (count_tokens has no max_tokens or stream). */
export function parseCommon(raw: Json): ChatRequest {
  if (raw['max_tokens'] === undefined && raw['messages'] === undefined && raw['model'] === undefined) {
    throw invalid('', 'the body must be an object with model, max_tokens and messages');
  }
  const model = nonEmptyString(raw['model'], 'model');
  const messages = parseMessages(raw['messages']);
  const request: ChatRequest = {
    model,
    system: parseSystem(raw['system'], 'system'),
    messages,
    stream: false,
    surface: 'anthropic',
  };
  const extra: Json = {};

  const stop = optional(raw, 'stop_sequences', '', (v, p) => array(v, p).map((s, i) => string(s, join(p, i))));
  if (stop !== undefined) request.stop = stop;
  const temperature = optional(raw, 'temperature', '', (v, p) => number(v, p, 0, 1));
  if (temperature !== undefined) request.temperature = temperature;
  const topP = optional(raw, 'top_p', '', (v, p) => number(v, p, 0, 1));
  if (topP !== undefined) request.topP = topP;
  const topK = optional(raw, 'top_k', '', (v, p) => integer(v, p, 0));
  if (topK !== undefined) request.topK = topK;

  const metadata = optional(raw, 'metadata', '', object);
  if (metadata !== undefined) {
    const user = optional(metadata, 'user_id', 'metadata', string);
    if (user !== undefined) request.user = user;
  }

  const tools = optional(raw, 'tools', '', parseTools);
  if (tools !== undefined) request.tools = tools;
  const choice = optional(raw, 'tool_choice', '', parseToolChoice);
  if (choice !== undefined) {
    request.toolChoice = choice.toolChoice;
    if (choice.parallelToolCalls !== undefined) request.parallelToolCalls = choice.parallelToolCalls;
    if (choice.toolChoice.type === 'tool') {
      const name = choice.toolChoice.name;
      if (!(tools ?? []).some((tool) => tool.name === name)) {
        throw invalid('tool_choice.name', `tool "${name}" is not among the request's tools`);
      }
    }
  }

  parseThinking(raw['thinking'], 'thinking', request, extra);
  parseOutputConfig(raw['output_config'], 'output_config', request, extra);

  for (const [key, value] of Object.entries(raw)) {
    // `__proto__` (a legal JSON key) would set the prototype of `extra` rather than a field.
    if (!MODELLED.has(key) && key !== '__proto__') extra[key] = value;
  }
  if (Object.keys(extra).length > 0) request.extra = extra;
  return request;
}

function parseMessages(value: unknown): Message[] {
  const items = array(value, 'messages');
  if (items.length === 0) throw invalid('messages', 'at least one message is required');
  return items.map((item, i) => {
    const path = join('messages', i);
    const raw = object(item, path);
    const role: Role = oneOf(raw['role'], join(path, 'role'), ['user', 'assistant'] as const);
    const content = raw['content'];
    const at = join(path, 'content');
    const last = i === items.length - 1;
    if (typeof content === 'string') {
      if (content === '' && !(last && role === 'assistant')) {
        throw invalid(at, 'all messages must have non-empty content except for the optional final assistant message');
      }
      return { role, content: content === '' ? [] : [{ type: 'text', text: content }] };
    }
    const blocks = array(content, at);
    if (blocks.length === 0 && !(last && role === 'assistant')) {
      throw invalid(at, 'all messages must have non-empty content except for the optional final assistant message');
    }
    return { role, content: blocks.map((block, j) => parseContentBlock(block, join(at, j), role)) };
  });
}
