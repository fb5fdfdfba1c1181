import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function mint(prefix: string): string {
  const bytes = randomBytes(24);
  let id = prefix;
  for (const byte of bytes) id += ALPHABET[byte % ALPHABET.length];
  return id;
}

/** A message id in Anthropic's visible format: `msg_` and 24 base62 characters (e.g. `msg_01XFDUDYJgAACzvnptvVoYEL`). */
export function mintMessageId(): string {
  return mint('msg_');
}

/**
 * A tool_use id for a call whose backend gave none (some OpenAI-compatible servers omit it). The client
 * must echo the id in its tool_result, and Anthropic's format requires one, so an empty id is never sent.
 */
export function mintToolUseId(): string {
  return mint('toolu_');
}
