import type { AssistantBlock } from './content.js';
import type { FinishReason } from './finish.js';
import type { Usage } from './usage.js';

export interface ChatResponse {
  /** Upstream response id where it has one; surfaces mint their own ids in their own format. */
  id: string;
  /** The model the upstream says served the request. */
  model: string;
  content: AssistantBlock[];
  finishReason: FinishReason;
  rawFinishReason?: string;
  /** The stop sequence that matched, when `finishReason` is `stop` because of one. */
  stopSequence?: string;
  usage: Usage;
}

export interface CompletionResponse {
  id: string;
  model: string;
  text: string;
  finishReason: FinishReason;
  rawFinishReason?: string;
  usage: Usage;
}

export interface EmbeddingResponse {
  model: string;
  /** One vector per input, in input order. Base64 when the client asked for it and the upstream gave it. */
  embeddings: Array<number[] | string>;
  usage: Usage;
}
