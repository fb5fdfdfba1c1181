import { crc32 } from 'node:zlib';
import { UpstreamError } from '../../errors/upstream-error.js';

/**
 * The AWS event-stream binary framing (`application/vnd.amazon.eventstream`) that ConverseStream answers in.
 * Layout, per AWS "Event stream encoding" (docs.aws.amazon.com/lexv2/latest/dg/event-stream-encoding.html)
 * and smithy's eventstream-codec:
 *
 *   total length u32 BE | headers length u32 BE | prelude CRC32 u32 BE      (prelude: 12 bytes)
 *   headers: repeated [name length u8][name utf8][value type u8][value]
 *   payload
 *   message CRC32 u32 BE (over everything before it)
 *
 * Both CRCs are the gzip CRC-32 (node:zlib `crc32`). A frame whose CRC does not match, or whose lengths are
 * impossible, is a protocol failure of the upstream.
 */

export type HeaderValue = string | number | boolean | bigint | Uint8Array | Date;

export interface EventStreamMessage {
  headers: Record<string, HeaderValue>;
  payload: Uint8Array;
}

const PRELUDE = 12;
const OVERHEAD = 16;
/** aws-c-event-stream's limits: 16 MiB per message, 128 KiB of headers. */
const MAX_MESSAGE = 16 * 1024 * 1024;
const MAX_HEADERS = 128 * 1024;

function protocolError(message: string): UpstreamError {
  return new UpstreamError({ kind: 'protocol', message: `Bedrock event stream: ${message}` });
}

/** Incremental decoder: feed chunks as they arrive (split anywhere), get whole verified messages. */
export class EventStreamDecoder {
  #buffer: Buffer = Buffer.alloc(0);
  /** A failure found after good frames in the same chunk: those frames are delivered first. */
  #failure: UpstreamError | undefined;

  push(chunk: Uint8Array): EventStreamMessage[] {
    if (this.#failure !== undefined) throw this.#failure;
    this.#buffer = this.#buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#buffer, chunk]);
    const out: EventStreamMessage[] = [];
    try {
      this.#drain(out);
    } catch (error) {
      if (!(error instanceof UpstreamError) || out.length === 0) throw error;
      this.#failure = error;
    }
    return out;
  }

  #drain(out: EventStreamMessage[]): void {
    while (this.#buffer.length >= PRELUDE) {
      const total = this.#buffer.readUInt32BE(0);
      const headersLength = this.#buffer.readUInt32BE(4);
      // Check the prelude before trusting its lengths, so a corrupt length cannot make us wait forever.
      if (crc32(this.#buffer.subarray(0, 8)) !== this.#buffer.readUInt32BE(8)) throw protocolError('prelude CRC mismatch');
      if (total < OVERHEAD || total > MAX_MESSAGE) throw protocolError(`impossible message length ${total}`);
      if (headersLength > MAX_HEADERS || headersLength > total - OVERHEAD) {
        throw protocolError(`impossible headers length ${headersLength}`);
      }
      if (this.#buffer.length < total) break;
      const frame = this.#buffer.subarray(0, total);
      this.#buffer = this.#buffer.subarray(total);
      out.push(decodeFrame(frame, headersLength));
    }
  }

  /** The body ended: leftover bytes mean a truncated frame. */
  end(): void {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#buffer.length > 0) throw protocolError(`stream ended inside a frame (${this.#buffer.length} bytes left)`);
  }
}

function decodeFrame(frame: Buffer, headersLength: number): EventStreamMessage {
  const total = frame.length;
  if (crc32(frame.subarray(0, total - 4)) !== frame.readUInt32BE(total - 4)) throw protocolError('message CRC mismatch');
  const headers = decodeHeaders(frame.subarray(PRELUDE, PRELUDE + headersLength));
  const payload = new Uint8Array(frame.subarray(PRELUDE + headersLength, total - 4));
  return { headers, payload };
}

function decodeHeaders(bytes: Buffer): Record<string, HeaderValue> {
  const headers: Record<string, HeaderValue> = {};
  let at = 0;
  const need = (n: number): void => {
    if (at + n > bytes.length) throw protocolError('header runs past the headers section');
  };
  while (at < bytes.length) {
    need(1);
    const nameLength = bytes.readUInt8(at);
    at += 1;
    need(nameLength + 1);
    const name = bytes.toString('utf8', at, at + nameLength);
    at += nameLength;
    const type = bytes.readUInt8(at);
    at += 1;
    switch (type) {
      case 0:
      case 1:
        headers[name] = type === 0;
        break;
      case 2:
        need(1);
        headers[name] = bytes.readInt8(at);
        at += 1;
        break;
      case 3:
        need(2);
        headers[name] = bytes.readInt16BE(at);
        at += 2;
        break;
      case 4:
        need(4);
        headers[name] = bytes.readInt32BE(at);
        at += 4;
        break;
      case 5:
        need(8);
        headers[name] = bytes.readBigInt64BE(at);
        at += 8;
        break;
      case 6:
      case 7: {
        need(2);
        const length = bytes.readUInt16BE(at);
        at += 2;
        need(length);
        headers[name] = type === 7 ? bytes.toString('utf8', at, at + length) : new Uint8Array(bytes.subarray(at, at + length));
        at += length;
        break;
      }
      case 8:
        need(8);
        headers[name] = new Date(Number(bytes.readBigInt64BE(at)));
        at += 8;
        break;
      case 9:
        need(16);
        headers[name] = new Uint8Array(bytes.subarray(at, at + 16));
        at += 16;
        break;
      default:
        throw protocolError(`unknown header value type ${type}`);
    }
  }
  return headers;
}

/** Decodes a whole body as it streams in. */
export async function* decodeEventStream(body: AsyncIterable<Uint8Array>): AsyncGenerator<EventStreamMessage> {
  const decoder = new EventStreamDecoder();
  for await (const chunk of body) yield* decoder.push(chunk);
  decoder.end();
}

/** A header to encode: a string (type 7), or an explicitly typed int32 (type 4). */
export type HeaderInput = string | { int32: number };

/**
 * Encodes one message. Used by tests to build fixture streams from readable JSON descriptions; the gateway
 * itself never writes event streams.
 */
export function encodeEventStreamMessage(headers: Record<string, HeaderInput>, payload: Uint8Array | string): Uint8Array {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload);
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const nameBytes = Buffer.from(name, 'utf8');
    if (nameBytes.length > 255) throw new RangeError(`header name too long: ${name}`);
    if (typeof value === 'string') {
      const valueBytes = Buffer.from(value, 'utf8');
      const head = Buffer.alloc(1 + nameBytes.length + 3);
      head.writeUInt8(nameBytes.length, 0);
      nameBytes.copy(head, 1);
      head.writeUInt8(7, 1 + nameBytes.length);
      head.writeUInt16BE(valueBytes.length, 2 + nameBytes.length);
      parts.push(head, valueBytes);
    } else {
      const head = Buffer.alloc(1 + nameBytes.length + 5);
      head.writeUInt8(nameBytes.length, 0);
      nameBytes.copy(head, 1);
      head.writeUInt8(4, 1 + nameBytes.length);
      head.writeInt32BE(value.int32, 2 + nameBytes.length);
      parts.push(head);
    }
  }
  const headerBytes = Buffer.concat(parts);
  const total = OVERHEAD + headerBytes.length + body.length;
  const out = Buffer.alloc(total);
  out.writeUInt32BE(total, 0);
  out.writeUInt32BE(headerBytes.length, 4);
  out.writeUInt32BE(crc32(out.subarray(0, 8)), 8);
  headerBytes.copy(out, PRELUDE);
  body.copy(out, PRELUDE + headerBytes.length);
  out.writeUInt32BE(crc32(out.subarray(0, total - 4)), total - 4);
  return new Uint8Array(out);
}
