import type { CompletionRequest, EmbeddingRequest } from '../../spec/request.js';
import {
  invalid,
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

const COMPLETION_KNOWN = new Set(['model', 'prompt', 'max_tokens', 'temperature', 'top_p', 'stop', 'seed', 'user', 'stream', 'stream_options']);

/** `POST /v1/completions` (legacy text completion) → canonical. Only a single string prompt is supported. */
export function parseCompletionRequest(body: Json): { request: CompletionRequest; includeUsage: boolean } {
  const model = requireString(body.model, 'model');
  let prompt: string;
  if (typeof body.prompt === 'string') prompt = body.prompt;
  else if (Array.isArray(body.prompt) && body.prompt.length === 1 && typeof body.prompt[0] === 'string') prompt = body.prompt[0];
  else throw invalid('prompt', 'expected a string (batched or token-id prompts are not supported)');
  const request: CompletionRequest = { model, prompt, stream: optionalBoolean(body.stream, 'stream') ?? false };
  const maxTokens = optionalInteger(body.max_tokens, 'max_tokens', 1);
  if (maxTokens !== undefined) request.maxOutputTokens = maxTokens;
  const temperature = optionalNumber(body.temperature, 'temperature', 0, 2);
  if (temperature !== undefined) request.temperature = temperature;
  const topP = optionalNumber(body.top_p, 'top_p', 0, 1);
  if (topP !== undefined) request.topP = topP;
  const stop = optionalStop(body.stop, 'stop');
  if (stop !== undefined) request.stop = stop;
  const seed = optionalInteger(body.seed, 'seed');
  if (seed !== undefined) request.seed = seed;
  const user = optionalString(body.user, 'user');
  if (user !== undefined) request.user = user;
  let includeUsage = false;
  if (body.stream_options !== undefined && body.stream_options !== null) {
    includeUsage = optionalBoolean(requireObject(body.stream_options, 'stream_options').include_usage, 'stream_options.include_usage') ?? false;
  }
  let extra: Json | undefined;
  for (const key in body) if (!COMPLETION_KNOWN.has(key) && key !== '__proto__') (extra ??= {})[key] = body[key];
  if (extra !== undefined) request.extra = extra;
  return { request, includeUsage };
}

/** `POST /v1/embeddings` → canonical. */
export function parseEmbeddingRequest(body: Json): EmbeddingRequest {
  const model = requireString(body.model, 'model');
  let input: string[] | number[][];
  if (typeof body.input === 'string') input = [body.input];
  else {
    const list = requireArray(body.input, 'input');
    if (list.length === 0) throw invalid('input', 'must not be empty');
    if (list.every((item) => typeof item === 'string')) input = list as string[];
    else if (list.every((item) => typeof item === 'number')) input = [list as number[]];
    else if (list.every((item) => Array.isArray(item) && item.every((n) => typeof n === 'number'))) input = list as number[][];
    else throw invalid('input', 'expected a string, an array of strings, or token arrays');
  }
  const request: EmbeddingRequest = { model, input };
  const dimensions = optionalInteger(body.dimensions, 'dimensions', 1);
  if (dimensions !== undefined) request.dimensions = dimensions;
  const format = optionalString(body.encoding_format, 'encoding_format');
  if (format !== undefined) {
    if (format !== 'float' && format !== 'base64') throw invalid('encoding_format', 'must be float or base64');
    request.encodingFormat = format;
  }
  const user = optionalString(body.user, 'user');
  if (user !== undefined) request.user = user;
  return request;
}
