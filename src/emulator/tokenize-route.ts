import { encode, tokenize } from '../tokenizer/tokenizer.js';
import { renderChat } from '../tokenizer/chat-template.js';
import { HttpError, badRequest } from './http-error.js';
import type { Replica } from './replica.js';
import { parseChatRequest } from './request-parse.js';

/**
 * vLLM's `POST /tokenize` (vllm/entrypoints/serve/tokenize/protocol.py): `{model?, prompt}` or
 * `{model?, messages, add_generation_prompt = true, tools?}` → `{count, max_model_len, tokens, token_strs?}`.
 * A gateway can ask a replica for exactly the token ids (and so the block hashes) it will use for a chat
 * prompt, template included.
 */
export function tokenizeRoute(replica: Replica, body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('the request body must be a JSON object');
  const b = body as Record<string, unknown>;
  const model = b['model'];
  if (model !== undefined && model !== null && (typeof model !== 'string' || !replica.servedModelNames.includes(model))) {
    throw new HttpError(404, `The model \`${String(model)}\` does not exist.`, { param: 'model' });
  }
  let text: string;
  if (typeof b['prompt'] === 'string') text = b['prompt'];
  else if (b['messages'] !== undefined) {
    const chat = parseChatRequest({ messages: b['messages'], tools: b['tools'] });
    text = renderChat(chat.messages, chat.tools, b['add_generation_prompt'] !== false);
  } else throw badRequest('send `prompt` (a string) or `messages`', 'prompt');
  const tokens = encode(text);
  const out: Record<string, unknown> = { count: tokens.length, max_model_len: replica.engine.spec.model.maxContextTokens, tokens };
  if (b['return_token_strs'] === true) out['token_strs'] = tokenize(text);
  return out;
}
