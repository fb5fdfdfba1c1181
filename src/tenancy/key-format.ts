import { createHash, randomBytes } from 'node:crypto';

/**
 * Key format: `sy-<publicId>-<secret>`.
 * - publicId: 12 characters of lowercase base32 (60 random bits). Not secret: it names the key in logs,
 *   listings and error messages, and is the primary key we look the hash up by.
 * - secret: 32 random bytes (256 bits) in base64url (43 characters, may contain `-` and `_`).
 *
 * Stored: only SHA-256(secret). A slow password hash (bcrypt, scrypt, Argon2) exists to make guessing a
 * low-entropy human password expensive; a 256-bit random secret cannot be guessed at any speed, so a
 * fast hash loses nothing and keeps authentication at microseconds per request. (GitHub and Stripe
 * store high-entropy tokens the same way.) A database leak therefore reveals no usable key.
 */
export const KEY_PREFIX = 'sy-';
const PUBLIC_ID_LENGTH = 12;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const PUBLIC_ID_RE = /^[a-z2-7]{12}$/;
const SECRET_RE = /^[A-Za-z0-9_-]{43}$/;

export function newPublicId(): string {
  const bytes = randomBytes(PUBLIC_ID_LENGTH);
  let id = '';
  for (const b of bytes) id += BASE32[b & 31];
  return id;
}

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function formatKey(publicId: string, secret: string): string {
  return `${KEY_PREFIX}${publicId}-${secret}`;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export interface ParsedKey {
  publicId: string;
  secret: string;
}

/** Splits a presented key; `undefined` when it is not in our format (never echo the input back). */
export function parseKey(presented: string): ParsedKey | undefined {
  if (!presented.startsWith(KEY_PREFIX)) return undefined;
  const rest = presented.slice(KEY_PREFIX.length);
  const publicId = rest.slice(0, PUBLIC_ID_LENGTH);
  if (rest[PUBLIC_ID_LENGTH] !== '-') return undefined;
  const secret = rest.slice(PUBLIC_ID_LENGTH + 1);
  if (!PUBLIC_ID_RE.test(publicId) || !SECRET_RE.test(secret)) return undefined;
  return { publicId, secret };
}

/** What may be shown of a key: its prefix and public id. */
export function displayPrefix(publicId: string): string {
  return `${KEY_PREFIX}${publicId}`;
}
