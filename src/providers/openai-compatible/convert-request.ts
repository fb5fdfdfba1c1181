import type { ContentBlock, ImageBlock, Message, TextBlock } from '../../spec/content.js';
import type { ChatRequest, CompletionRequest, EmbeddingRequest } from '../../spec/request.js';
import type { VendorHooks } from './vendors.js';

type Json = Record<string, unknown>;

/**
 * Canonical chat request → OpenAI chat-completions body. Fields the client sent that the canonical form
 * does not model (`extra`) are forwarded when the client spoke the same dialect (OpenAI), so vLLM's
 * `repetition_penalty` or `logprobs` reach the engine untouched. `stream` is the call's, whatever the
 * request said (the adapter's `chat` never streams).
 *
 * Copies are made with Object.assign, not object spread: on Node 20's V8 a spread copy reaches the old
 * generation (docs/decisions/2026-12-06-request-path-allocation.md).
 */
export function convertChatRequest(request: ChatRequest, upstreamModel: string, hooks: VendorHooks, stream: boolean): Json {
  const body: Json = request.surface === 'openai' && request.extra !== undefined ? Object.assign({}, request.extra) : {};
  body.model = upstreamModel;
  body.messages = convertMessages(request);
  if (request.maxOutputTokens !== undefined) body[hooks.maxTokensField] = request.maxOutputTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.topK !== undefined && hooks.topK) body.top_k = request.topK;
  if (request.stop !== undefined) body.stop = request.stop;
  if (request.seed !== undefined) body.seed = request.seed;
  if (request.frequencyPenalty !== undefined) body.frequency_penalty = request.frequencyPenalty;
  if (request.presencePenalty !== undefined) body.presence_penalty = request.presencePenalty;
  if (request.user !== undefined) body.user = request.user;
  if (request.tools !== undefined) {
    body.tools = request.tools.map((tool) => ({
      type: 'function',
      function: {
        name: tool.name,
        ...(tool.description === undefined ? {} : { description: tool.description }),
        parameters: tool.inputSchema,
        ...(tool.strict === undefined ? {} : { strict: tool.strict }),
      },
    }));
  }
  if (request.toolChoice !== undefined) {
    const choice = request.toolChoice;
    body.tool_choice = choice.type === 'tool' ? { type: 'function', function: { name: choice.name } } : choice.type;
  }
  if (request.parallelToolCalls !== undefined) body.parallel_tool_calls = request.parallelToolCalls;
  if (request.responseFormat !== undefined) {
    const format = request.responseFormat;
    body.response_format =
      format.type === 'json-schema'
        ? {
            type: 'json_schema',
            json_schema: {
              name: format.name,
              schema: format.schema,
              ...(format.strict === undefined ? {} : { strict: format.strict }),
              ...(format.description === undefined ? {} : { description: format.description }),
            },
          }
        : { type: format.type === 'json' ? 'json_object' : 'text' };
  }
  if (request.reasoning?.effort !== undefined && hooks.reasoningEffort) body.reasoning_effort = request.reasoning.effort;
  body.stream = stream;
  if (stream) {
    // Always ask for the usage chunk, whatever the client asked: accounting needs it. The surface drops
    // it again when the client did not ask (LiteLLM #36168, Portkey #1259 lost it).
    if (hooks.streamUsage) body.stream_options = Object.assign({}, body.stream_options as Json | undefined, { include_usage: true });
  } else delete body.stream_options;
  hooks.transformRequestBody?.(body, request);
  return body;
}

function convertMessages(request: ChatRequest): Json[] {
  const out: Json[] = [];
  if (request.system.length > 0) out.push({ role: 'system', content: joinText(request.system) });
  for (const message of request.messages) convertMessage(message, out);
  return out;
}

function convertMessage(message: Message, out: Json[]): void {
  if (message.role === 'assistant') {
    let text = '';
    const toolCalls: Json[] = [];
    for (const block of message.content) {
      if (block.type === 'text') text += block.text;
      else if (block.type === 'tool-use') {
        toolCalls.push({
          id: block.id,
          type: 'function',
          function: { name: block.name, arguments: typeof block.input === 'string' ? block.input : JSON.stringify(block.input ?? {}) },
        });
      }
    }
    const assistant: Json = { role: 'assistant', content: text === '' && toolCalls.length > 0 ? null : text };
    if (toolCalls.length > 0) assistant.tool_calls = toolCalls;
    out.push(assistant);
    return;
  }
  // A user turn: tool results become `tool` messages (they must directly follow the assistant turn
  // that called them), the rest one user message.
  const parts: Array<TextBlock | ImageBlock> = [];
  for (const block of message.content) {
    if (block.type === 'tool-result') {
      out.push({ role: 'tool', tool_call_id: block.toolUseId, content: toolResultText(block.content) });
    } else if (block.type === 'text' || block.type === 'image') parts.push(block);
  }
  if (parts.length > 0) out.push({ role: 'user', content: userContent(parts) });
}

function userContent(parts: Array<TextBlock | ImageBlock>): string | Json[] {
  // A lone text part goes as a plain string: the form every compatible server accepts.
  if (parts.length === 1 && parts[0]?.type === 'text') return parts[0].text;
  return parts.map((part) =>
    part.type === 'text'
      ? { type: 'text', text: part.text }
      : {
          type: 'image_url',
          image_url: {
            url: part.source.kind === 'url' ? part.source.url : `data:${part.source.mediaType};base64,${part.source.data}`,
            ...(part.detail === undefined ? {} : { detail: part.detail }),
          },
        },
  );
}

function toolResultText(content: ContentBlock[]): string {
  let text = '';
  for (const block of content) if (block.type === 'text') text += block.text;
  return text;
}

function joinText(blocks: readonly TextBlock[]): string {
  if (blocks.length === 1) return (blocks[0] as TextBlock).text;
  return blocks.map((block) => block.text).join('\n\n');
}

export function convertCompletionRequest(request: CompletionRequest, upstreamModel: string, hooks: VendorHooks, stream: boolean): Json {
  const body: Json = request.extra === undefined ? {} : Object.assign({}, request.extra);
  body.model = upstreamModel;
  body.prompt = request.prompt;
  if (request.maxOutputTokens !== undefined) body.max_tokens = request.maxOutputTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.stop !== undefined) body.stop = request.stop;
  if (request.seed !== undefined) body.seed = request.seed;
  if (request.user !== undefined) body.user = request.user;
  body.stream = stream;
  if (stream && hooks.streamUsage) body.stream_options = { include_usage: true };
  else delete body.stream_options;
  return body;
}

export function convertEmbeddingRequest(request: EmbeddingRequest, upstreamModel: string): Json {
  const body: Json = { model: upstreamModel, input: request.input };
  if (request.dimensions !== undefined) body.dimensions = request.dimensions;
  if (request.encodingFormat !== undefined) body.encoding_format = request.encodingFormat;
  if (request.user !== undefined) body.user = request.user;
  return body;
}
