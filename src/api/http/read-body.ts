import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../../errors/gateway-error.js';

/**
 * Reads a request body up to `limit` bytes. A declared `content-length` over the limit fails before a
 * byte is read; a chunked body that grows past it fails as soon as it does, and the rest is drained
 * without being kept (the caller answers 413 with `connection: close`). Never buffers past the limit.
 */
export function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = request.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    request.resume();
    return Promise.reject(tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    const onData = (chunk: Buffer): void => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.once('end', () => {
      if (failed) return;
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    });
    request.once('error', (error) => {
      if (failed) return;
      failed = true;
      reject(new GatewayError('invalid_request', `could not read the request body: ${error.message}`, { cause: error }));
    });
  });
}

function tooLarge(limit: number): GatewayError {
  return new GatewayError('request_too_large', `request body is larger than the limit of ${limit} bytes`);
}

/** Deepest nesting a body may have. JSON.parse accepts any depth, but JSON.stringify (to the upstream) recurses. */
export const MAX_JSON_DEPTH = 512;
/** Below this size a body cannot nest deep enough to overflow the stack, so it is not scanned. */
const DEPTH_SCAN_BYTES = 4096;

/** Parses a JSON object body; anything else is a 400 that says what is wrong. */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  if (body.length === 0) throw new GatewayError('invalid_json', 'request body is empty; expected a JSON object');
  if (body.length > DEPTH_SCAN_BYTES && nestingDepth(body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    throw new GatewayError('invalid_json', `request body nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new GatewayError('invalid_json', `request body is not valid JSON: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new GatewayError('invalid_json', 'request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/**
 * Bracket depth of a JSON text, strings skipped, stopping as soon as it passes `limit`. One pass over the
 * bytes with no allocation: a body nested 100,000 deep parses fine but would overflow the stack when
 * re-serialised for the upstream, which must be a 400 and not a 500.
 */
export function nestingDepth(body: Uint8Array, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i] as number;
    if (inString) {
      if (byte === 0x5c) i++; // backslash: skip the escaped byte
      else if (byte === 0x22) inString = false;
      continue;
    }
    if (byte === 0x22) inString = true;
    else if (byte === 0x7b || byte === 0x5b) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (byte === 0x7d || byte === 0x5d) depth--;
  }
  return max;
}
