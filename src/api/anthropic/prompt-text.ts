import type { ChatRequest } from '../../spec/request.js';
import { countTokens } from '../../tokenizer/tokenizer.js';

/**
 * The text of a prompt as the model reads it, for the gateway's own token estimates and prefix hashes:
 * system, message text, tool calls and results, reasoning, and the tool definitions. Images are not
 * counted (their token cost depends on the backend's vision encoder).
 */
export function promptText(request: ChatRequest): string {
  const parts: string[] = [];
  for (const block of request.system) parts.push(block.text);
  for (const message of request.messages) {
    for (const block of message.content) {
      if (block.type === 'text') parts.push(block.text);
      else if (block.type === 'reasoning') parts.push(block.text);
      else if (block.type === 'tool-use') parts.push(block.name, JSON.stringify(block.input ?? {}));
      else if (block.type === 'tool-result') for (const part of block.content) if (part.type === 'text') parts.push(part.text);
    }
  }
  for (const tool of request.tools ?? []) parts.push(tool.name, tool.description ?? '', JSON.stringify(tool.inputSchema));
  return parts.join('\n');
}

/** Above this many characters the tokenizer would hold the event loop for milliseconds (about 10 ms per 100 kB). */
const TOKENIZE_LIMIT = 32_768;

/**
 * The built-in tokenizer's count of the prompt: an estimate for real models (docs/decisions). `exact`
 * forces the tokenizer for any size (count_tokens, where the count is the answer); otherwise prompts past
 * 32 k characters are estimated at 4 characters per token, so a 100 k-token prompt does not cost tens of
 * milliseconds of event loop for a number the upstream replaces moments later.
 */
export function estimatePromptTokens(request: ChatRequest, exact = false): number {
  const text = promptText(request);
  return exact || text.length <= TOKENIZE_LIMIT ? countTokens(text) : Math.ceil(text.length / 4);
}
