import type { FinishReason } from '../../spec/finish.js';

/**
 * OpenAI's five finish reasons, plus what OpenAI-compatible servers add: vLLM `abort`, llama.cpp and
 * TGI `eos_token`. Unknown values become `other`, keeping the raw string beside it.
 */
export function mapFinishReason(raw: string | null | undefined): FinishReason {
  switch (raw) {
    case 'stop':
    case 'eos_token':
    case 'stop_sequence':
      return 'stop';
    case 'length':
    case 'max_tokens':
      return 'length';
    case 'tool_calls':
    case 'function_call':
      return 'tool-calls';
    case 'content_filter':
      return 'content-filter';
    case 'abort':
    case 'error':
      return 'error';
    default:
      return 'other';
  }
}
