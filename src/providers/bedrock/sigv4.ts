import { createHash, createHmac } from 'node:crypto';

/**
 * AWS Signature Version 4, written against the published algorithm
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html) and checked
 * against AWS's signing test suite (awslabs/aws-c-auth tests/aws-signing-test-suite/v4, see sigv4.test.ts).
 * We sign ourselves with node:crypto rather than pulling in the AWS SDK: four HMACs and two hashes.
 */

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Present for temporary (STS) credentials; sent and signed as `x-amz-security-token`. */
  sessionToken?: string;
}

export interface CanonicalInput {
  method: string;
  /** The path exactly as it goes on the wire (already percent-encoded where the URL needs it). */
  path: string;
  /** The raw query string without `?`, or empty. */
  query: string;
  /** Every header to sign, including `host` and `x-amz-date`. Names in any case. */
  headers: Record<string, string>;
  /** Hex SHA-256 of the body (or `UNSIGNED-PAYLOAD`). */
  payloadHash: string;
}

export interface SigningScope {
  /** `YYYYMMDDTHHMMSSZ`. */
  amzDate: string;
  region: string;
  service: string;
}

export interface Signature {
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
  signedHeaders: string;
  authorization: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** RFC 3986 encoding: everything but unreserved characters (A–Z a–z 0–9 - _ . ~) becomes %XX. */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Every service but S3 encodes each path segment once more on top of the wire form ("URI-encode each path
 * segment twice" in the SigV4 docs). A Bedrock model id `anthropic.claude-v2:1` goes on the wire as
 * `anthropic.claude-v2%3A1` and is signed as `anthropic.claude-v2%253A1`, as the AWS SDKs do.
 */
export function canonicalUri(path: string): string {
  if (path === '' || path === '/') return '/';
  return path
    .split('/')
    .map((segment) => uriEncode(segment))
    .join('/');
}

/** Parameters sorted by encoded name then value, each name and value RFC 3986-encoded. */
export function canonicalQuery(query: string): string {
  if (query === '') return '';
  const pairs = query
    .split('&')
    .filter((part) => part.length > 0)
    .map((part) => {
      const eq = part.indexOf('=');
      const name = eq < 0 ? part : part.slice(0, eq);
      const value = eq < 0 ? '' : part.slice(eq + 1);
      return [uriEncode(safeDecode(name)), uriEncode(safeDecode(value))] as const;
    });
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([name, value]) => `${name}=${value}`).join('&');
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Lower-case names, values trimmed with inner runs of spaces collapsed, sorted by name. */
function canonicalHeaders(headers: Record<string, string>): { block: string; signed: string } {
  const map = new Map<string, string[]>();
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    const list = map.get(key) ?? [];
    list.push(value.trim().replace(/ +/g, ' '));
    map.set(key, list);
  }
  const names = [...map.keys()].sort();
  const block = names.map((name) => `${name}:${(map.get(name) ?? []).join(',')}\n`).join('');
  return { block, signed: names.join(';') };
}

export function signingKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  const kDate = hmac(`AWS4${secretAccessKey}`, date);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  return hmac(kService, 'aws4_request');
}

/** Computes the canonical request, the string to sign, the signature and the Authorization header value. */
export function sign(input: CanonicalInput, scope: SigningScope, credentials: AwsCredentials): Signature {
  const { block, signed } = canonicalHeaders(input.headers);
  const canonicalRequest = [
    input.method.toUpperCase(),
    canonicalUri(input.path),
    canonicalQuery(input.query),
    block,
    signed,
    input.payloadHash,
  ].join('\n');
  const date = scope.amzDate.slice(0, 8);
  const credentialScope = `${date}/${scope.region}/${scope.service}/aws4_request`;
  const stringToSign = [ALGORITHM, scope.amzDate, credentialScope, sha256Hex(canonicalRequest)].join('\n');
  const key = signingKey(credentials.secretAccessKey, date, scope.region, scope.service);
  const signature = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  const authorization = `${ALGORITHM} Credential=${credentials.accessKeyId}/${credentialScope}, SignedHeaders=${signed}, Signature=${signature}`;
  return { canonicalRequest, stringToSign, signature, signedHeaders: signed, authorization };
}

/** `20150830T123600Z` from a Date. */
export function toAmzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

export interface SignRequestInput {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | Uint8Array;
  region: string;
  service: string;
  credentials: AwsCredentials;
  now: Date;
}

/**
 * Signs an HTTP request: adds `x-amz-date`, `x-amz-content-sha256`, `x-amz-security-token` (session
 * credentials) and `authorization`. `host` is signed but not returned — the HTTP client derives the same
 * value from the URL (host, plus the port when it is not the default).
 */
export function signRequest(input: SignRequestInput): Record<string, string> {
  const url = new URL(input.url);
  const amzDate = toAmzDate(input.now);
  const payloadHash = sha256Hex(input.body);
  const headers: Record<string, string> = { ...input.headers, 'x-amz-date': amzDate, 'x-amz-content-sha256': payloadHash };
  if (input.credentials.sessionToken !== undefined && input.credentials.sessionToken !== '') {
    headers['x-amz-security-token'] = input.credentials.sessionToken;
  }
  const { authorization } = sign(
    { method: input.method, path: url.pathname, query: url.search.replace(/^\?/, ''), headers: { ...headers, host: url.host }, payloadHash },
    { amzDate, region: input.region, service: input.service },
    input.credentials,
  );
  return { ...headers, authorization };
}
