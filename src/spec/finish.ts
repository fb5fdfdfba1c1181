/**
 * Why generation stopped. The unified value is what surfaces map to their own vocabulary; the provider's
 * raw value travels beside it so nothing is lost (Bedrock has nine stop reasons, OpenAI five, Anthropic six).
 */
export type FinishReason =
  | 'stop' // natural end of turn, or a stop sequence matched (see `stopSequence`)
  | 'length' // max output tokens (or context window) reached
  | 'tool-calls' // the model wants tool results
  | 'content-filter' // refused or filtered
  | 'pause' // Anthropic `pause_turn`: a long-running server tool turn paused; the client continues it
  | 'error'
  | 'other';
