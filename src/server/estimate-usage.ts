import type { Usage } from '../spec/usage.js';
import type { AssistantBlock } from '../spec/content.js';
import { countTokens } from '../tokenizer/tokenizer.js';

/**
 * Usage with unknown totals filled from our tokenizer and `estimated` set, for upstreams that report
 * none (some TGI and llama.cpp builds): the client's usage and the ledger get numbers, marked as
 * estimates (the tokenizer is within about ±15% of real vocabularies). Known fields are kept; a usage
 * with both totals known is returned as is.
 */
export function estimateUsage(usage: Usage, promptText: () => string, outputText: () => string): Usage {
  if (usage.inputTokens !== undefined && usage.outputTokens !== undefined) return usage;
  const out: Usage = { ...usage, estimated: true };
  out.inputTokens ??= countTokens(promptText());
  out.outputTokens ??= countTokens(outputText());
  return out;
}

/** The text a response generated: text, reasoning and tool-call arguments. */
export function generatedText(content: readonly AssistantBlock[]): string {
  let text = '';
  for (const block of content) {
    if (block.type === 'tool-use') text += typeof block.input === 'string' ? block.input : JSON.stringify(block.input);
    else text += block.text;
  }
  return text;
}
