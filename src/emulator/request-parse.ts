import { badRequest } from './http-error.js';
import { parseResponseFormat, parseToolChoice, parseTools } from './request-parse-tools.js';
import type { ChatMessage, GenerationRequest } from './request-types.js';

/**
 * Validates an OpenAI chat-completions or completions body (as vLLM accepts it) into a GenerationRequest.
 * Anything malformed is a 400 naming the field (`param`), never a crash. Sampling knobs the emulator does not
 * need (temperature, top_p, penalties, …) are type-checked and otherwise ignored, as a real engine would
 * accept them.
 */
type Body = Record<string, unknown>;

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool']);

export function parseChatRequest(body: unknown): GenerationRequest {
  const b = asBody(body);
  const messages = b['messages'];
  if (!Array.isArray(messages) || messages.length === 0) throw badRequest('`messages` must be a non-empty array', 'messages');
  const tools = parseTools(b['tools']);
  return {
    ...common(b, 'chat'),
    messages: messages.map((m, i) => parseMessage(m, i)),
    prompt: undefined,
    tools,
    toolChoice: parseToolChoice(b['tool_choice'], tools),
  };
}

export function parseCompletionRequest(body: unknown): GenerationRequest {
  const b = asBody(body);
  return {
    ...common(b, 'completions'),
    messages: [],
    prompt: parsePrompt(b['prompt']),
    tools: [],
    toolChoice: { kind: 'none' },
  };
}

function asBody(body: unknown): Body {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('the request body must be a JSON object');
  return body as Body;
}

function common(b: Body, endpoint: 'chat' | 'completions'): Omit<GenerationRequest, 'messages' | 'prompt' | 'tools' | 'toolChoice'> {
  const responseFormat = parseResponseFormat(b['response_format']);
  const model = optional(b, 'model', 'string');
  const n = optionalInt(b, 'n', 1);
  if (n !== undefined && n > 1) throw badRequest('n > 1 is not supported by the Switchyard engine emulator; send n=1 or omit it', 'n');
  const legacyMax = optionalInt(b, 'max_tokens', 1);
  const maxCompletion = endpoint === 'chat' ? optionalInt(b, 'max_completion_tokens', 1) : undefined;
  const stream = optional(b, 'stream', 'boolean') ?? false;
  const streamOptions = b['stream_options'];
  let includeUsage = false;
  if (streamOptions !== undefined && streamOptions !== null) {
    if (!stream) throw badRequest('Stream options can only be defined when `stream=True`.', 'stream_options');
    if (typeof streamOptions !== 'object' || Array.isArray(streamOptions)) throw badRequest('`stream_options` must be an object', 'stream_options');
    const include = (streamOptions as Body)['include_usage'];
    if (include !== undefined && include !== null && typeof include !== 'boolean') {
      throw badRequest('`stream_options.include_usage` must be a boolean', 'stream_options.include_usage');
    }
    includeUsage = include === true;
  }
  for (const key of ['temperature', 'top_p', 'presence_penalty', 'frequency_penalty']) optional(b, key, 'number');
  const temperature = b['temperature'];
  if (typeof temperature === 'number' && (temperature < 0 || temperature > 2)) throw badRequest('`temperature` must be between 0 and 2', 'temperature');
  if (b['logprobs'] !== undefined && b['logprobs'] !== null && b['logprobs'] !== false) {
    throw badRequest('logprobs are not supported by the Switchyard engine emulator', 'logprobs');
  }
  const seed = optionalInt(b, 'seed', Number.MIN_SAFE_INTEGER);
  return {
    endpoint,
    model,
    maxTokens: maxCompletion ?? legacyMax,
    stop: parseStop(b['stop']),
    stream,
    includeUsage,
    seed,
    ignoreEos: optional(b, 'ignore_eos', 'boolean') ?? false,
    responseFormat,
    priority: optionalInt(b, 'priority', Number.MIN_SAFE_INTEGER) ?? 0,
  };
}

function optional(b: Body, key: string, type: 'string'): string | undefined;
function optional(b: Body, key: string, type: 'boolean'): boolean | undefined;
function optional(b: Body, key: string, type: 'number'): number | undefined;
function optional(b: Body, key: string, type: 'string' | 'boolean' | 'number'): unknown {
  const value = b[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== type || (type === 'number' && !Number.isFinite(value))) throw badRequest(`\`${key}\` must be a ${type}`, key);
  return value;
}

function optionalInt(b: Body, key: string, min: number): number | undefined {
  const value = b[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw badRequest(`\`${key}\` must be an integer`, key);
  if (value < min) throw badRequest(`\`${key}\` must be at least ${min}, got ${value}`, key);
  return value;
}

function parseStop(stop: unknown): string[] {
  if (stop === undefined || stop === null) return [];
  if (typeof stop === 'string') return stop === '' ? [] : [stop];
  if (Array.isArray(stop) && stop.every((s) => typeof s === 'string')) return (stop as string[]).filter((s) => s !== '');
  throw badRequest('`stop` must be a string or an array of strings', 'stop');
}

function parsePrompt(prompt: unknown): string | number[] {
  if (typeof prompt === 'string') return prompt;
  if (Array.isArray(prompt)) {
    if (prompt.length > 0 && prompt.every((t) => Number.isSafeInteger(t) && (t as number) >= 0)) return prompt as number[];
    if (prompt.length === 1 && typeof prompt[0] === 'string') return prompt[0];
    if (prompt.length === 1 && Array.isArray(prompt[0]) && prompt[0].every((t) => Number.isSafeInteger(t))) return prompt[0] as number[];
    if (prompt.length > 1) throw badRequest('batched prompts are not supported by the Switchyard engine emulator; send one prompt per request', 'prompt');
  }
  throw badRequest('`prompt` must be a string, one-element array of strings, or an array of token ids', 'prompt');
}

function parseContent(content: unknown, param: string): string {
  if (content === undefined || content === null) return '';
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw badRequest(`\`${param}\` must be a string or an array of content parts`, param);
  return content
    .map((part, i) => {
      if (typeof part !== 'object' || part === null) throw badRequest(`\`${param}[${i}]\` must be a content part object`, `${param}[${i}]`);
      const p = part as Body;
      if (p['type'] === 'text' || p['type'] === 'input_text') {
        if (typeof p['text'] !== 'string') throw badRequest(`\`${param}[${i}].text\` must be a string`, `${param}[${i}].text`);
        return p['text'];
      }
      if (p['type'] === 'image_url' || p['type'] === 'input_audio' || p['type'] === 'file') return `<${String(p['type'])}>`;
      throw badRequest(`\`${param}[${i}].type\` "${String(p['type'])}" is not a supported content part`, `${param}[${i}].type`);
    })
    .join('');
}

function parseMessage(m: unknown, i: number): ChatMessage {
  const param = `messages[${i}]`;
  if (typeof m !== 'object' || m === null || Array.isArray(m)) throw badRequest(`\`${param}\` must be an object`, param);
  const msg = m as Body;
  const role = msg['role'];
  if (typeof role !== 'string' || !ROLES.has(role)) {
    throw badRequest(`\`${param}.role\` must be one of system, developer, user, assistant, tool`, `${param}.role`);
  }
  const out: ChatMessage = { role: role as ChatMessage['role'], text: parseContent(msg['content'], `${param}.content`) };
  if (typeof msg['name'] === 'string') out.name = msg['name'];
  if (role === 'tool') {
    if (typeof msg['tool_call_id'] !== 'string') throw badRequest(`\`${param}.tool_call_id\` is required for tool messages`, `${param}.tool_call_id`);
    out.toolCallId = msg['tool_call_id'];
  }
  if (role === 'assistant' && msg['tool_calls'] !== undefined && msg['tool_calls'] !== null) {
    const calls = msg['tool_calls'];
    if (!Array.isArray(calls)) throw badRequest(`\`${param}.tool_calls\` must be an array`, `${param}.tool_calls`);
    out.toolCalls = calls.map((c, j) => {
      const cp = `${param}.tool_calls[${j}]`;
      const fn = typeof c === 'object' && c !== null ? (c as Body)['function'] : undefined;
      if (typeof fn !== 'object' || fn === null) throw badRequest(`\`${cp}.function\` must be an object`, `${cp}.function`);
      const f = fn as Body;
      if (typeof f['name'] !== 'string') throw badRequest(`\`${cp}.function.name\` must be a string`, `${cp}.function.name`);
      const args = f['arguments'] ?? '';
      if (typeof args !== 'string') throw badRequest(`\`${cp}.function.arguments\` must be a string`, `${cp}.function.arguments`);
      const id = (c as Body)['id'];
      return { id: typeof id === 'string' ? id : '', name: f['name'], arguments: args };
    });
  }
  return out;
}
