import { GatewayError } from '../../errors/gateway-error.js';
import type { ContentBlock, ImageBlock, Message } from '../../spec/content.js';
import type { ChatRequest } from '../../spec/request.js';
import { convertSchema } from './convert-schema.js';
import { parseToolId } from './tool-ids.js';
import type { Content, GenerateContentRequest, GenerationConfig, Part, Schema } from './wire-types.js';

export interface ConvertRequestOptions {
  /** `safetySettings` from the backend's config options, sent verbatim ([{category, threshold}]). */
  safetySettings?: unknown[];
}

/** Canonical chat request → GenerateContentRequest. The model goes in the URL (see adapter.ts). */
export function convertRequest(request: ChatRequest, options: ConvertRequestOptions = {}): GenerateContentRequest {
  const names = toolNamesById(request.messages);
  const body: GenerateContentRequest = { contents: convertContents(request.messages, names) };

  const system = request.system.filter((block) => block.text.length > 0).map((block): Part => ({ text: block.text }));
  if (system.length > 0) body.systemInstruction = { parts: system };

  const tools = request.tools ?? [];
  if (tools.length > 0) {
    body.tools = [
      {
        functionDeclarations: tools.map((tool) => {
          const parameters = parametersOf(tool.inputSchema);
          return {
            name: tool.name,
            ...(tool.description === undefined ? {} : { description: tool.description }),
            ...(parameters === undefined ? {} : { parameters }),
          };
        }),
      },
    ];
    const choice = request.toolChoice;
    if (choice?.type === 'auto') body.toolConfig = { functionCallingConfig: { mode: 'AUTO' } };
    else if (choice?.type === 'none') body.toolConfig = { functionCallingConfig: { mode: 'NONE' } };
    else if (choice?.type === 'required') body.toolConfig = { functionCallingConfig: { mode: 'ANY' } };
    else if (choice?.type === 'tool') body.toolConfig = { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.name] } };
  }

  const generation = generationConfig(request);
  if (Object.keys(generation).length > 0) body.generationConfig = generation;
  if (options.safetySettings !== undefined && options.safetySettings.length > 0) body.safetySettings = options.safetySettings;
  return body;
}

/** An object schema without properties is sent as no parameters: Gemini rejects an empty OBJECT. */
function parametersOf(schema: Record<string, unknown>): Schema | undefined {
  const converted = convertSchema(schema);
  if (converted.type === 'OBJECT' && Object.keys(converted.properties ?? {}).length === 0) return undefined;
  return converted;
}

/**
 * Effort without a budget becomes a thinking budget (tokens). The steps are our choice; Gemini 2.5 Pro
 * cannot turn thinking off, so even `minimal` keeps a small budget.
 */
const EFFORT_BUDGET = { minimal: 512, low: 1024, medium: 8192, high: 24576 } as const;

function generationConfig(request: ChatRequest): GenerationConfig {
  const config: GenerationConfig = {};
  if (request.maxOutputTokens !== undefined) config.maxOutputTokens = request.maxOutputTokens;
  if (request.temperature !== undefined) config.temperature = request.temperature;
  if (request.topP !== undefined) config.topP = request.topP;
  if (request.topK !== undefined) config.topK = request.topK;
  if (request.stop !== undefined && request.stop.length > 0) config.stopSequences = request.stop;
  if (request.seed !== undefined) config.seed = request.seed;
  if (request.presencePenalty !== undefined) config.presencePenalty = request.presencePenalty;
  if (request.frequencyPenalty !== undefined) config.frequencyPenalty = request.frequencyPenalty;
  const format = request.responseFormat;
  if (format?.type === 'json') config.responseMimeType = 'application/json';
  else if (format?.type === 'json-schema') {
    config.responseMimeType = 'application/json';
    config.responseSchema = convertSchema(format.schema);
  }
  const reasoning = request.reasoning;
  if (reasoning !== undefined) {
    const budget = reasoning.budgetTokens ?? (reasoning.effort === undefined ? undefined : EFFORT_BUDGET[reasoning.effort]);
    // includeThoughts returns thought summaries, which become reasoning blocks.
    config.thinkingConfig = budget === undefined ? { includeThoughts: true } : { thinkingBudget: budget, includeThoughts: true };
  }
  return config;
}

/** Tool results in Gemini name their function, not a call id: map ids to names from the conversation. */
function toolNamesById(messages: Message[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const message of messages) {
    for (const block of message.content) if (block.type === 'tool-use') names.set(block.id, block.name);
  }
  return names;
}

/** Roles user → `user`, assistant → `model`; consecutive turns of one role are merged. */
function convertContents(messages: Message[], names: Map<string, string>): Content[] {
  const out: Content[] = [];
  messages.forEach((message, m) => {
    const role = message.role === 'assistant' ? 'model' : 'user';
    const parts = message.content.flatMap((block, b) => convertBlock(block, names, `messages[${m}].content[${b}]`));
    if (parts.length === 0) return;
    const last = out[out.length - 1];
    if (last !== undefined && last.role === role) last.parts.push(...parts);
    else out.push({ role, parts });
  });
  return out;
}

function convertBlock(block: ContentBlock, names: Map<string, string>, param: string): Part[] {
  switch (block.type) {
    case 'text':
      return block.text.length > 0 ? [{ text: block.text }] : [];
    case 'image':
      return [convertImage(block)];
    case 'reasoning':
      // Thought summaries are the model's own; Gemini does not take them back as input.
      return [];
    case 'tool-use': {
      const { signature } = parseToolId(block.id);
      const args = typeof block.input === 'object' && block.input !== null && !Array.isArray(block.input) ? (block.input as Record<string, unknown>) : {};
      const part: Part = { functionCall: { name: block.name, args } };
      if (signature !== undefined) part.thoughtSignature = signature;
      return [part];
    }
    case 'tool-result': {
      const name = names.get(block.toolUseId);
      if (name === undefined) {
        throw new GatewayError('invalid_request', `No assistant tool call with id ${block.toolUseId} precedes this tool result.`, {
          param: `${param}.toolUseId`,
        });
      }
      const text = block.content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('\n');
      // FunctionResponse.response: "Use 'output' key to specify function output and 'error' key to specify
      // error details" (REST reference).
      const response = block.isError === true ? { error: text } : { output: text };
      const images = block.content.flatMap((part) => (part.type === 'image' ? [convertImage(part)] : []));
      return [{ functionResponse: { name, response } }, ...images];
    }
  }
}

/** Base64 and data URLs go inline; other URLs (https, gs://, Files API) go as fileData. */
function convertImage(block: ImageBlock): Part {
  const source = block.source;
  if (source.kind === 'base64') return { inlineData: { mimeType: source.mediaType, data: source.data } };
  const data = /^data:([^;,]+);base64,(.*)$/s.exec(source.url);
  if (data !== null) return { inlineData: { mimeType: data[1] ?? 'application/octet-stream', data: data[2] ?? '' } };
  return { fileData: { mimeType: guessMimeType(source.url), fileUri: source.url } };
}

function guessMimeType(url: string): string {
  const extension = /\.([a-z0-9]+)(?:[?#].*)?$/i.exec(url)?.[1]?.toLowerCase();
  if (extension === 'png') return 'image/png';
  if (extension === 'gif') return 'image/gif';
  if (extension === 'webp') return 'image/webp';
  if (extension === 'heic') return 'image/heic';
  return 'image/jpeg';
}
