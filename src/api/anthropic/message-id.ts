import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A message id in Anthropic's visible format: `msg_` and 24 base62 characters (e.g. `msg_01XFDUDYJgAACzvnptvVoYEL`). */
export function mintMessageId(): string {
  const bytes = randomBytes(24);
  let id = 'msg_';
  for (const byte of bytes) id += ALPHABET[byte % ALPHABET.length];
  return id;
}
