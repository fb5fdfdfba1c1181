import type { ChatResponse } from '../../spec/response.js';
import { openaiFinishReason, renderUsage } from './render-usage.js';

export interface RenderOptions {
  /** `chatcmpl-…` id minted by the surface. */
  id: string;
  /** The public model name the client asked for. */
  model: string;
  created: number;
}

/** Canonical response → an OpenAI `chat.completion` object, as JSON text. */
export function renderChatCompletion(response: ChatResponse, options: RenderOptions): string {
  let text: string | null = null;
  let reasoning: string | undefined;
  const toolCalls: unknown[] = [];
  for (const block of response.content) {
    if (block.type === 'text') text = (text ?? '') + block.text;
    else if (block.type === 'reasoning') reasoning = (reasoning ?? '') + block.text;
    else {
      toolCalls.push({
        id: block.id,
        type: 'function',
        function: { name: block.name, arguments: typeof block.input === 'string' ? block.input : JSON.stringify(block.input) },
      });
    }
  }
  const message: Record<string, unknown> = { role: 'assistant', content: text, refusal: null };
  if (reasoning !== undefined) message.reasoning_content = reasoning;
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  const usage = renderUsage(response.usage);
  return (
    `{"id":${JSON.stringify(options.id)},"object":"chat.completion","created":${options.created},` +
    `"model":${JSON.stringify(options.model)},"choices":[{"index":0,"message":${JSON.stringify(message)},` +
    `"logprobs":null,"finish_reason":"${openaiFinishReason(response.finishReason)}"}]` +
    (usage === undefined ? '' : `,"usage":${usage}`) +
    '}'
  );
}
