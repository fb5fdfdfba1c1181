import type { ContentBlock, ImageBlock, Message, TextBlock, ToolResultBlock } from '../../spec/content.js';
import type { ChatRequest, ResponseFormat, ToolChoice, ToolDefinition } from '../../spec/request.js';
import { GatewayError } from '../../errors/gateway-error.js';
import {
  invalid,
  isObject,
  optionalBoolean,
  optionalInteger,
  optionalNumber,
  optionalStop,
  optionalString,
  requireArray,
  requireObject,
  requireString,
  type Json,
} from '../http/fields.js';

/** Body fields the canonical request models; everything else goes to `extra` and on to OpenAI-dialect upstreams. */
const KNOWN = new Set([
  'model', 'messages', 'max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'top_k', 'stop', 'seed',
  'user', 'tools', 'tool_choice', 'parallel_tool_calls', 'response_format', 'stream', 'stream_options',
  'frequency_penalty', 'presence_penalty', 'reasoning_effort',
]);

export interface ParsedChat {
  request: ChatRequest;
  /** `stream_options.include_usage`: the client wants the final usage chunk. */
  includeUsage: boolean;
}

/**
 * `POST /v1/chat/completions` body → canonical ChatRequest, following
 * https://platform.openai.com/docs/api-reference/chat/create. Every rejection names the field.
 */
export function parseChatRequest(body: Json): ParsedChat {
  const model = requireString(body.model, 'model');
  if (model === '') throw invalid('model', 'must not be empty');
  const messages = requireArray(body.messages, 'messages');
  if (messages.length === 0) throw invalid('messages', 'must contain at least one message');
  const system: TextBlock[] = [];
  const turns: Message[] = [];
  messages.forEach((raw, i) => parseMessage(raw, `messages[${i}]`, system, turns));

  const n = optionalInteger(body.n, 'n', 1);
  if (n !== undefined && n > 1) throw new GatewayError('unsupported_feature', 'n: only one choice per request is supported', { param: 'n' });
  const stream = optionalBoolean(body.stream, 'stream') ?? false;
  let includeUsage = false;
  if (body.stream_options !== undefined && body.stream_options !== null) {
    const options = requireObject(body.stream_options, 'stream_options');
    includeUsage = optionalBoolean(options.include_usage, 'stream_options.include_usage') ?? false;
  }
  const request: ChatRequest = { model, system, messages: turns, stream, surface: 'openai' };
  const maxTokens =
    optionalInteger(body.max_completion_tokens, 'max_completion_tokens', 1) ?? optionalInteger(body.max_tokens, 'max_tokens', 1);
  if (maxTokens !== undefined) request.maxOutputTokens = maxTokens;
  const temperature = optionalNumber(body.temperature, 'temperature', 0, 2);
  if (temperature !== undefined) request.temperature = temperature;
  const topP = optionalNumber(body.top_p, 'top_p', 0, 1);
  if (topP !== undefined) request.topP = topP;
  const topK = optionalInteger(body.top_k, 'top_k', -1);
  if (topK !== undefined) request.topK = topK;
  const stop = optionalStop(body.stop, 'stop');
  if (stop !== undefined) request.stop = stop;
  const seed = optionalInteger(body.seed, 'seed');
  if (seed !== undefined) request.seed = seed;
  const user = optionalString(body.user, 'user');
  if (user !== undefined) request.user = user;
  const frequency = optionalNumber(body.frequency_penalty, 'frequency_penalty', -2, 2);
  if (frequency !== undefined) request.frequencyPenalty = frequency;
  const presence = optionalNumber(body.presence_penalty, 'presence_penalty', -2, 2);
  if (presence !== undefined) request.presencePenalty = presence;
  const parallel = optionalBoolean(body.parallel_tool_calls, 'parallel_tool_calls');
  if (parallel !== undefined) request.parallelToolCalls = parallel;
  if (body.tools !== undefined && body.tools !== null) request.tools = parseTools(body.tools);
  if (body.tool_choice !== undefined && body.tool_choice !== null) request.toolChoice = parseToolChoice(body.tool_choice);
  if (body.response_format !== undefined && body.response_format !== null) {
    request.responseFormat = parseResponseFormat(body.response_format);
  }
  const effort = optionalString(body.reasoning_effort, 'reasoning_effort');
  if (effort !== undefined) {
    if (effort !== 'minimal' && effort !== 'low' && effort !== 'medium' && effort !== 'high') {
      throw invalid('reasoning_effort', 'must be one of minimal, low, medium, high');
    }
    request.reasoning = { effort };
  }
  let extra: Json | undefined;
  for (const key in body) {
    if (KNOWN.has(key) || key === '__proto__') continue;
    (extra ??= {})[key] = body[key];
  }
  if (extra !== undefined) request.extra = extra;
  return { request, includeUsage };
}

function parseMessage(raw: unknown, path: string, system: TextBlock[], turns: Message[]): void {
  const message = requireObject(raw, path);
  const role = requireString(message.role, `${path}.role`);
  switch (role) {
    case 'system':
    case 'developer':
      for (const block of parseContent(message.content, `${path}.content`, false)) {
        if (block.type === 'text') system.push(block);
      }
      return;
    case 'user':
      pushTurn(turns, 'user', parseContent(message.content, `${path}.content`, true));
      return;
    case 'assistant': {
      const content: ContentBlock[] =
        message.content === null || message.content === undefined ? [] : parseContent(message.content, `${path}.content`, false);
      if (message.tool_calls !== undefined && message.tool_calls !== null) {
        requireArray(message.tool_calls, `${path}.tool_calls`).forEach((call, i) => {
          const p = `${path}.tool_calls[${i}]`;
          const object = requireObject(call, p);
          const fn = requireObject(object.function, `${p}.function`);
          const args = optionalString(fn.arguments, `${p}.function.arguments`) ?? '';
          content.push({
            type: 'tool-use',
            id: requireString(object.id, `${p}.id`),
            name: requireString(fn.name, `${p}.function.name`),
            input: parseArguments(args),
          });
        });
      }
      pushTurn(turns, 'assistant', content);
      return;
    }
    case 'tool': {
      const toolUseId = requireString(message.tool_call_id, `${path}.tool_call_id`);
      const content = parseContent(message.content, `${path}.content`, false).filter(
        (block): block is TextBlock => block.type === 'text',
      );
      const result: ToolResultBlock = { type: 'tool-result', toolUseId, content };
      pushTurn(turns, 'user', [result]);
      return;
    }
    default:
      throw invalid(`${path}.role`, `unsupported role "${role}"; expected system, developer, user, assistant or tool`);
  }
}

/** Consecutive turns of one role merge (OpenAI's tool messages become one user turn of tool results). */
function pushTurn(turns: Message[], role: 'user' | 'assistant', content: ContentBlock[]): void {
  const last = turns[turns.length - 1];
  if (last !== undefined && last.role === role && role === 'user') last.content.push(...content);
  else turns.push({ role, content });
}

function parseContent(value: unknown, path: string, allowImages: boolean): ContentBlock[] {
  if (typeof value === 'string') return [{ type: 'text', text: value }];
  const parts = requireArray(value, path);
  const out: ContentBlock[] = [];
  parts.forEach((raw, i) => {
    const p = `${path}[${i}]`;
    const part = requireObject(raw, p);
    const type = requireString(part.type, `${p}.type`);
    if (type === 'text') out.push({ type: 'text', text: requireString(part.text, `${p}.text`) });
    else if (type === 'refusal') out.push({ type: 'text', text: requireString(part.refusal, `${p}.refusal`) });
    else if (type === 'image_url' && allowImages) out.push(parseImage(part.image_url, `${p}.image_url`));
    else if (type === 'image_url') throw invalid(`${p}.type`, 'images are only allowed in user messages');
    else {
      throw new GatewayError('unsupported_feature', `${p}.type: content part "${type}" is not supported`, { param: `${p}.type` });
    }
  });
  return out;
}

function parseImage(value: unknown, path: string): ImageBlock {
  const image = isObject(value) ? value : undefined;
  const url = requireString(image?.url ?? value, `${path}.url`);
  const detail = optionalString(image?.detail, `${path}.detail`);
  const block: ImageBlock = { type: 'image', source: { kind: 'url', url } };
  // data: URLs become base64 sources so adapters for providers that want raw bytes (Anthropic, Bedrock) can use them.
  const match = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (match !== null) block.source = { kind: 'base64', mediaType: match[1] as string, data: match[2] as string };
  if (detail !== undefined) {
    if (detail !== 'auto' && detail !== 'low' && detail !== 'high') throw invalid(`${path}.detail`, 'must be auto, low or high');
    block.detail = detail;
  }
  return block;
}

function parseTools(value: unknown): ToolDefinition[] {
  return requireArray(value, 'tools').map((raw, i) => {
    const path = `tools[${i}]`;
    const tool = requireObject(raw, path);
    if (tool.type !== 'function') throw invalid(`${path}.type`, 'only "function" tools are supported');
    const fn = requireObject(tool.function, `${path}.function`);
    const definition: ToolDefinition = {
      name: requireString(fn.name, `${path}.function.name`),
      inputSchema: fn.parameters === undefined ? { type: 'object', properties: {} } : requireObject(fn.parameters, `${path}.function.parameters`),
    };
    const description = optionalString(fn.description, `${path}.function.description`);
    if (description !== undefined) definition.description = description;
    const strict = optionalBoolean(fn.strict, `${path}.function.strict`);
    if (strict !== undefined) definition.strict = strict;
    return definition;
  });
}

function parseToolChoice(value: unknown): ToolChoice {
  if (value === 'auto' || value === 'none' || value === 'required') return { type: value };
  if (typeof value === 'string') throw invalid('tool_choice', `must be auto, none, required or an object, got "${value}"`);
  const choice = requireObject(value, 'tool_choice');
  const fn = requireObject(choice.function, 'tool_choice.function');
  return { type: 'tool', name: requireString(fn.name, 'tool_choice.function.name') };
}

function parseResponseFormat(value: unknown): ResponseFormat {
  const format = requireObject(value, 'response_format');
  const type = requireString(format.type, 'response_format.type');
  if (type === 'text') return { type: 'text' };
  if (type === 'json_object') return { type: 'json' };
  if (type !== 'json_schema') throw invalid('response_format.type', 'must be text, json_object or json_schema');
  const spec = requireObject(format.json_schema, 'response_format.json_schema');
  const result: ResponseFormat = {
    type: 'json-schema',
    name: requireString(spec.name, 'response_format.json_schema.name'),
    schema: spec.schema === undefined ? {} : requireObject(spec.schema, 'response_format.json_schema.schema'),
  };
  const strict = optionalBoolean(spec.strict, 'response_format.json_schema.strict');
  if (strict !== undefined) result.strict = strict;
  const description = optionalString(spec.description, 'response_format.json_schema.description');
  if (description !== undefined) result.description = description;
  return result;
}

function parseArguments(raw: string): unknown {
  if (raw === '') return {};
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}
