import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * A check of `Authorization: Bearer <token>` against a configured token; no token configured lets every
 * request through. Digests are compared, not the tokens: equal lengths for timingSafeEqual, and no early
 * exit that would tell the token's length.
 */
export function bearerCheck(token: string | undefined): (authorization: string | undefined) => boolean {
  if (token === undefined) return () => true;
  const expected = sha256(token);
  return (authorization) => {
    const presented = /^Bearer\s+(.+)$/i.exec(authorization?.trim() ?? '')?.[1];
    return presented !== undefined && timingSafeEqual(sha256(presented.trim()), expected);
  };
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
