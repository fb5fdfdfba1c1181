import { randomBytes } from 'node:crypto';

/**
 * Gemini function calls have no ids (newer models sometimes send `functionCall.id`), but every client
 * dialect needs one to pair a tool result with its call, so we mint `call_<hex>`.
 *
 * Gemini 3 also puts a `thoughtSignature` on function-call parts and rejects the next turn if the call comes
 * back without it (Gemini API "Thought signatures" guide). The canonical tool-use block has no slot for it
 * and a gateway replica keeps no conversation state, so the signature rides inside the id itself
 * (`<id>__ts_<signature text as base64url>`, which round-trips any string exactly): clients echo ids verbatim, and the id stays within the
 * `[A-Za-z0-9_-]` alphabet that Anthropic's tool_use ids require. LiteLLM carries it the same way.
 */
const SEPARATOR = '__ts_';

export function mintToolId(providerId: string | undefined, signature: string | undefined): string {
  const base = providerId !== undefined && providerId !== '' ? providerId : `call_${randomBytes(12).toString('hex')}`;
  if (signature === undefined || signature === '') return base;
  return `${base}${SEPARATOR}${Buffer.from(signature, 'utf8').toString('base64url')}`;
}

/** Splits an id minted above into the plain id and the signature, exactly as Gemini sent it. */
export function parseToolId(id: string): { id: string; signature?: string } {
  const at = id.indexOf(SEPARATOR);
  if (at < 0) return { id };
  const encoded = id.slice(at + SEPARATOR.length);
  return { id: id.slice(0, at), signature: Buffer.from(encoded, 'base64url').toString('utf8') };
}
