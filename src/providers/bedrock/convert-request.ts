import { GatewayError } from '../../errors/gateway-error.js';
import type { CacheControl, ContentBlock as CanonicalBlock, ImageBlock, Message as CanonicalMessage } from '../../spec/content.js';
import type { ChatRequest } from '../../spec/request.js';
import type { CachePoint, ContentBlock, ConverseRequest, ImageContent, Message, SystemBlock, ToolChoice } from './wire-types.js';

export interface ConvertRequestOptions {
  /** Fixed `requestMetadata` pairs from config (team, cost centre), merged under the request's own. */
  requestMetadata?: Record<string, string>;
  /** Deployment-level Converse fields from config (guardrailConfig, performanceConfig, serviceTier). */
  passthrough?: Record<string, Record<string, unknown>>;
}

/**
 * Canonical chat request → Converse body (API_runtime_Converse). The model id is not in the body: it is
 * the URL path (see adapter.ts).
 */
export function convertRequest(request: ChatRequest, options: ConvertRequestOptions = {}): ConverseRequest {
  const body: ConverseRequest = { messages: convertMessages(request.messages) };

  const system: SystemBlock[] = [];
  for (const block of request.system) {
    if (block.text.trim() === '') continue;
    system.push({ text: block.text });
    if (block.cacheControl !== undefined) system.push(cachePoint(block.cacheControl));
  }
  if (system.length > 0) body.system = system;

  const inference: NonNullable<ConverseRequest['inferenceConfig']> = {};
  if (request.maxOutputTokens !== undefined) inference.maxTokens = request.maxOutputTokens;
  if (request.temperature !== undefined) inference.temperature = request.temperature;
  if (request.topP !== undefined) inference.topP = request.topP;
  if (request.stop !== undefined && request.stop.length > 0) inference.stopSequences = request.stop;
  if (Object.keys(inference).length > 0) body.inferenceConfig = inference;

  const toolConfig = convertTools(request);
  if (toolConfig !== undefined) body.toolConfig = toolConfig;

  const additional: Record<string, unknown> = {};
  // Converse has no top_k or thinking field; both go to the model as provider-native fields (the
  // Anthropic-on-Bedrock names; reference/bedrock.md §1.2).
  if (request.topK !== undefined) additional['top_k'] = request.topK;
  const thinking = thinkingBudget(request);
  if (thinking !== undefined) additional['thinking'] = { type: 'enabled', budget_tokens: thinking };
  if (Object.keys(additional).length > 0) body.additionalModelRequestFields = additional;

  const metadata = requestMetadata(request, options.requestMetadata);
  if (metadata !== undefined) body.requestMetadata = metadata;
  return options.passthrough === undefined ? body : { ...body, ...options.passthrough };
}

/**
 * Effort without a budget becomes a budget. Anthropic's minimum is 1,024 tokens; the larger steps are our
 * choice, kept below common max_tokens settings.
 */
const EFFORT_BUDGET = { minimal: 1024, low: 2048, medium: 8192, high: 16384 } as const;

function thinkingBudget(request: ChatRequest): number | undefined {
  const reasoning = request.reasoning;
  if (reasoning === undefined) return undefined;
  if (reasoning.budgetTokens !== undefined) return reasoning.budgetTokens;
  return reasoning.effort === undefined ? undefined : EFFORT_BUDGET[reasoning.effort];
}

function cachePoint(control: CacheControl): CachePoint {
  return { cachePoint: control.ttl === undefined ? { type: 'default' } : { type: 'default', ttl: control.ttl } };
}

/**
 * Converse requires turns to alternate user/assistant ("A conversation must alternate between user and
 * assistant roles"); consecutive turns of one role (an OpenAI tool message followed by a user message)
 * are merged into one.
 */
function convertMessages(messages: CanonicalMessage[]): Message[] {
  const out: Message[] = [];
  messages.forEach((message, m) => {
    const content = message.content.flatMap((block, b) => convertBlock(block, `messages[${m}].content[${b}]`));
    if (content.length === 0) return;
    const last = out[out.length - 1];
    if (last !== undefined && last.role === message.role) last.content.push(...content);
    else out.push({ role: message.role, content });
  });
  return out;
}

function convertBlock(block: CanonicalBlock, param: string): ContentBlock[] {
  const out: ContentBlock[] = [];
  switch (block.type) {
    case 'text':
      // Converse rejects blank text blocks ("The text field in the ContentBlock object … is blank"); an
      // OpenAI assistant turn with tool calls often carries content "".
      if (block.text.trim() === '') return [];
      out.push({ text: block.text });
      break;
    case 'image':
      out.push({ image: convertImage(block, param) });
      break;
    case 'tool-use':
      out.push({ toolUse: { toolUseId: block.id, name: block.name, input: block.input ?? {} } });
      break;
    case 'tool-result': {
      const content = block.content.map((part, i) =>
        part.type === 'text' ? { text: part.text } : { image: convertImage(part, `${param}.content[${i}]`) },
      );
      out.push({
        toolResult: {
          toolUseId: block.toolUseId,
          content,
          ...(block.isError === true ? { status: 'error' as const } : {}),
        },
      });
      break;
    }
    case 'reasoning':
      if (block.redactedData !== undefined) out.push({ reasoningContent: { redactedContent: block.redactedData } });
      else {
        out.push({
          reasoningContent: {
            reasoningText: block.signature === undefined ? { text: block.text } : { text: block.text, signature: block.signature },
          },
        });
      }
      return out; // reasoning blocks carry no cache control
  }
  if (block.cacheControl !== undefined) out.push(cachePoint(block.cacheControl));
  return out;
}

const FORMATS: Record<string, ImageContent['format']> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

/** Converse takes image bytes (base64 in JSON) or an S3 location; it cannot fetch web URLs. */
function convertImage(block: ImageBlock, param: string): ImageContent {
  const source = block.source;
  if (source.kind === 'base64') return { format: imageFormat(source.mediaType, param), source: { bytes: source.data } };
  const data = /^data:([^;,]+);base64,(.*)$/s.exec(source.url);
  if (data !== null) return { format: imageFormat(data[1] ?? '', param), source: { bytes: data[2] ?? '' } };
  if (source.url.startsWith('s3://')) {
    const extension = /\.([a-z]+)$/i.exec(source.url)?.[1]?.toLowerCase() ?? '';
    return { format: imageFormat(`image/${extension}`, param), source: { s3Location: { uri: source.url } } };
  }
  throw new GatewayError('unsupported_feature', 'Bedrock accepts images as base64 data or s3:// URLs, not web URLs.', { param });
}

function imageFormat(mediaType: string, param: string): ImageContent['format'] {
  const format = FORMATS[mediaType.toLowerCase()];
  if (format === undefined) {
    throw new GatewayError('unsupported_feature', `Bedrock does not accept images of type ${mediaType || 'unknown'} (png, jpeg, gif, webp only).`, {
      param,
    });
  }
  return format;
}

function hasToolBlocks(messages: CanonicalMessage[]): boolean {
  return messages.some((m) => m.content.some((b) => b.type === 'tool-use' || b.type === 'tool-result'));
}

/**
 * Converse has no "none" tool choice, so `none` omits the tools — except when the conversation already
 * holds toolUse/toolResult blocks: Converse then rejects a request without toolConfig ("The toolConfig field
 * must be defined when using toolUse and toolResult content blocks"), so the tools stay, without a choice.
 */
function convertTools(request: ChatRequest): ConverseRequest['toolConfig'] {
  const tools = request.tools ?? [];
  if (tools.length === 0) return undefined;
  const choice = request.toolChoice;
  if (choice?.type === 'none' && !hasToolBlocks(request.messages)) return undefined;
  const specs = tools.map((tool) => ({
    toolSpec: {
      name: tool.name,
      ...(tool.description === undefined ? {} : { description: tool.description }),
      inputSchema: { json: tool.inputSchema },
    },
  }));
  let toolChoice: ToolChoice | undefined;
  if (choice?.type === 'auto') toolChoice = { auto: {} };
  else if (choice?.type === 'required') toolChoice = { any: {} };
  else if (choice?.type === 'tool') toolChoice = { tool: { name: choice.name } };
  return toolChoice === undefined ? { tools: specs } : { tools: specs, toolChoice };
}

/**
 * `requestMetadata` lands in Bedrock's invocation logs, where per-tenant cost reports filter on it
 * (reference/bedrock.md §4.11; litellm PR #36861). Sources: config pairs, then the client's OpenAI-style
 * `metadata` map, then `user`. Bedrock allows at most 16 pairs of ≤256 characters.
 */
function requestMetadata(request: ChatRequest, fixed: Record<string, string> | undefined): Record<string, string> | undefined {
  const pairs: Record<string, string> = {};
  const add = (key: string, value: unknown): void => {
    if (typeof value !== 'string' || key.length === 0) return;
    if (Object.keys(pairs).length >= 16 && !(key in pairs)) return;
    pairs[key.slice(0, 256)] = value.slice(0, 256);
  };
  for (const [key, value] of Object.entries(fixed ?? {})) add(key, value);
  const clientMetadata = request.extra?.['metadata'];
  if (typeof clientMetadata === 'object' && clientMetadata !== null && !Array.isArray(clientMetadata)) {
    for (const [key, value] of Object.entries(clientMetadata)) add(key, value);
  }
  if (request.user !== undefined) add('user', request.user);
  return Object.keys(pairs).length > 0 ? pairs : undefined;
}
