import type { CompletionResponse, EmbeddingResponse } from '../../spec/response.js';
import type { ModelRoute } from '../../router/router.js';
import { openaiFinishReason, renderUsage } from './render-usage.js';
import type { RenderOptions } from './render-chat.js';

/** Legacy `text_completion` object (POST /v1/completions). */
export function renderCompletion(response: CompletionResponse, options: RenderOptions): string {
  const usage = renderUsage(response.usage);
  return (
    `{"id":${JSON.stringify(options.id)},"object":"text_completion","created":${options.created},` +
    `"model":${JSON.stringify(options.model)},"choices":[{"index":0,"text":${JSON.stringify(response.text)},` +
    `"logprobs":null,"finish_reason":"${openaiFinishReason(response.finishReason)}"}]` +
    (usage === undefined ? '' : `,"usage":${usage}`) +
    '}'
  );
}

/** `{"object":"list","data":[{"object":"embedding","index","embedding"}],"model","usage"}` */
export function renderEmbeddings(response: EmbeddingResponse, model: string): string {
  const data = response.embeddings.map((embedding, index) => ({ object: 'embedding', index, embedding }));
  const input = response.usage.inputTokens;
  const usage = input === undefined ? undefined : { prompt_tokens: input, total_tokens: input };
  return JSON.stringify({ object: 'list', data, model, ...(usage === undefined ? {} : { usage }) });
}

export function renderModel(model: ModelRoute, id: string = model.name): Record<string, unknown> {
  return { id, object: 'model', created: model.created, owned_by: model.ownedBy };
}

/** `GET /v1/models`: every public name and alias, so clients can discover what they may send. */
export function renderModelList(models: readonly ModelRoute[]): string {
  const data: unknown[] = [];
  for (const model of models) {
    data.push(renderModel(model));
    for (const alias of model.aliases) data.push(renderModel(model, alias));
  }
  return JSON.stringify({ object: 'list', data });
}
