/**
 * The emulator's output vocabulary. Every word is lowercase ASCII letters, at most 7 long, so the built-in
 * tokenizer (src/tokenizer) reads " word" (a letter run with its leading space, at most 8 characters) as
 * exactly one token, and "," / "." as one token each. Counting generated text with the tokenizer therefore gives back the number of tokens the
 * engine model was asked to produce (a test holds this for many seeds).
 */
export const WORDS: readonly string[] = [
  'the', 'a', 'of', 'and', 'to', 'in', 'is', 'that', 'for', 'it', 'as', 'with', 'on', 'by', 'at', 'from',
  'this', 'which', 'or', 'an', 'be', 'are', 'was', 'can', 'will', 'each', 'every', 'more', 'less', 'most',
  'model', 'engine', 'token', 'tokens', 'request', 'replica', 'cache', 'prefix', 'block', 'blocks', 'batch',
  'prefill', 'decode', 'memory', 'latency', 'router', 'gateway', 'queue', 'fleet', 'pool', 'power', 'energy',
  'cost', 'price', 'budget', 'tenant', 'limit', 'stream', 'chunk', 'answer', 'system', 'user', 'context',
  'window', 'length', 'output', 'input', 'prompt', 'reply', 'step', 'kernel', 'tensor', 'layer', 'weight',
  'weights', 'head', 'heads', 'value', 'values', 'key', 'keys', 'page', 'pages', 'slot', 'slots', 'time',
  'first', 'next', 'last', 'fast', 'slow', 'small', 'large', 'cheap', 'steady', 'careful', 'simple', 'clear',
  'quiet', 'bright', 'early', 'late', 'open', 'shared', 'warm', 'cold', 'busy', 'idle', 'full', 'empty',
  'green', 'river', 'harbor', 'signal', 'track', 'switch', 'yard', 'rail', 'rails', 'train', 'station',
  'route', 'path', 'bridge', 'tunnel', 'north', 'south', 'east', 'west', 'morning', 'evening', 'winter',
  'summer', 'garden', 'stone', 'paper', 'light', 'sound', 'water', 'field', 'forest', 'number', 'measure',
  'compute', 'serve', 'return', 'choose', 'place', 'hold', 'keep', 'move', 'send', 'read', 'write', 'count',
  'wait', 'start', 'finish', 'follow', 'explain', 'show', 'find', 'share', 'reuse', 'spill', 'evict',
  'admit', 'reject', 'retry', 'balance', 'spread', 'gather', 'because', 'while', 'when', 'then', 'so', 'but',
  'also', 'only', 'still', 'often', 'rarely', 'always', 'never', 'here', 'there', 'where', 'how', 'why',
  'what', 'we', 'they', 'you', 'our', 'their',
];

/** Capitalises a word for the start of a sentence (still one token: a letter run of the same length). */
export function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
