import { GatewayError } from '../../errors/gateway-error.js';
import { UpstreamError } from '../../errors/upstream-error.js';
import type { EmbeddingRequest } from '../../spec/request.js';
import type { EmbeddingResponse } from '../../spec/response.js';
import { UNKNOWN_USAGE } from '../../spec/usage.js';

/**
 * `models/{model}:batchEmbedContents` (REST reference, BatchEmbedContentsRequest): one EmbedContentRequest per
 * input, each naming the model again; the answer is `{embeddings: [{values: number[]}]}` in input order.
 * The Gemini API reports no token usage for embeddings, so usage is unknown.
 */
export function convertEmbeddingRequest(request: EmbeddingRequest, modelPath: string): Record<string, unknown> {
  if (!request.input.every((item): item is string => typeof item === 'string')) {
    throw new GatewayError('unsupported_feature', 'Gemini embeddings take text, not token arrays.', { param: 'input' });
  }
  return {
    requests: request.input.map((text) => ({
      model: modelPath,
      content: { parts: [{ text }] },
      ...(request.dimensions === undefined ? {} : { outputDimensionality: request.dimensions }),
    })),
  };
}

export function convertEmbeddingResponse(raw: unknown, request: EmbeddingRequest, model: string): EmbeddingResponse {
  const embeddings = (raw as { embeddings?: Array<{ values?: unknown }> } | null)?.embeddings;
  if (!Array.isArray(embeddings) || embeddings.length !== request.input.length) {
    throw new UpstreamError({ kind: 'protocol', message: 'Gemini batchEmbedContents answered with the wrong number of embeddings' });
  }
  const vectors = embeddings.map((embedding) => {
    const values = embedding.values;
    if (!Array.isArray(values) || !values.every((v) => typeof v === 'number')) {
      throw new UpstreamError({ kind: 'protocol', message: 'Gemini embedding values are not numbers' });
    }
    return request.encodingFormat === 'base64' ? toBase64(values as number[]) : (values as number[]);
  });
  return { model, embeddings: vectors, usage: { ...UNKNOWN_USAGE } };
}

/** OpenAI's base64 encoding: the little-endian float32 bytes of the vector. */
function toBase64(values: number[]): string {
  const buffer = Buffer.alloc(values.length * 4);
  values.forEach((value, i) => buffer.writeFloatLE(value, i * 4));
  return buffer.toString('base64');
}
