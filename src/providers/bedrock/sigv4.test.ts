import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalUri, sha256Hex, sign, signRequest, toAmzDate, type AwsCredentials } from './sigv4.js';

// Vectors from AWS's SigV4 test suite as kept in awslabs/aws-c-auth
// tests/aws-signing-test-suite/v4/<case>/{context.json,header-signed-request.txt}: credentials AKIDEXAMPLE,
// region us-east-1, service "service", time 2015-08-30T12:36:00Z, host example.amazonaws.com.
const CREDENTIALS: AwsCredentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const SCOPE = { amzDate: '20150830T123600Z', region: 'us-east-1', service: 'service' };
const EMPTY = sha256Hex('');
const BASE = { host: 'example.amazonaws.com', 'X-Amz-Date': '20150830T123600Z' };

function authorization(signature: string, signed = 'host;x-amz-date'): string {
  return `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=${signed}, Signature=${signature}`;
}

test('get-vanilla', () => {
  const result = sign({ method: 'GET', path: '/', query: '', headers: BASE, payloadHash: EMPTY }, SCOPE, CREDENTIALS);
  assert.equal(result.authorization, authorization('5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'));
  assert.equal(
    result.canonicalRequest,
    'GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n' + EMPTY,
  );
});

test('post-vanilla', () => {
  const result = sign({ method: 'POST', path: '/', query: '', headers: BASE, payloadHash: EMPTY }, SCOPE, CREDENTIALS);
  assert.equal(result.authorization, authorization('5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b'));
});

test('get-vanilla-query-order-key-case: parameters sorted before signing', () => {
  const result = sign(
    { method: 'GET', path: '/', query: 'Param2=value2&Param1=value1', headers: BASE, payloadHash: EMPTY },
    SCOPE,
    CREDENTIALS,
  );
  assert.equal(result.signature, 'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500');
});

test('get-utf8: a raw UTF-8 path is percent-encoded in the canonical URI', () => {
  const result = sign({ method: 'GET', path: '/ሴ', query: '', headers: BASE, payloadHash: EMPTY }, SCOPE, CREDENTIALS);
  assert.equal(result.signature, '8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85');
});

test('get-vanilla-with-session-token: the token is a signed header', () => {
  const token = '6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267';
  const result = sign(
    { method: 'GET', path: '/', query: '', headers: { ...BASE, 'X-Amz-Security-Token': token }, payloadHash: EMPTY },
    SCOPE,
    { ...CREDENTIALS, sessionToken: token },
  );
  assert.equal(
    result.authorization,
    authorization('07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8', 'host;x-amz-date;x-amz-security-token'),
  );
});

test('post-x-www-form-urlencoded: a signed x-amz-content-sha256 over a body', () => {
  const body = 'Param1=value1';
  const hash = sha256Hex(body);
  assert.equal(hash, '9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e');
  const result = sign(
    {
      method: 'POST',
      path: '/',
      query: '',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Host: 'example.amazonaws.com',
        'Content-Length': '13',
        'x-amz-content-sha256': hash,
        'X-Amz-Date': '20150830T123600Z',
      },
      payloadHash: hash,
    },
    SCOPE,
    CREDENTIALS,
  );
  assert.equal(
    result.authorization,
    authorization(
      'd3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b',
      'content-length;content-type;host;x-amz-content-sha256;x-amz-date',
    ),
  );
});

test('a Bedrock model id is encoded once on the wire and twice in the canonical URI', () => {
  const wire = `/model/${encodeURIComponent('us.anthropic.claude-3-5-sonnet-20241022-v2:0')}/converse`;
  assert.equal(wire, '/model/us.anthropic.claude-3-5-sonnet-20241022-v2%3A0/converse');
  assert.equal(canonicalUri(wire), '/model/us.anthropic.claude-3-5-sonnet-20241022-v2%253A0/converse');
  const arn = encodeURIComponent('arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123');
  assert.equal(canonicalUri(`/model/${arn}/converse`), `/model/${arn.replace(/%/g, '%25')}/converse`);
});

test('signRequest adds date, payload hash, token and an authorization over host', () => {
  const now = new Date('2015-08-30T12:36:00Z');
  assert.equal(toAmzDate(now), '20150830T123600Z');
  const headers = signRequest({
    method: 'POST',
    url: 'https://bedrock-runtime.us-east-1.amazonaws.com/model/m%3A0/converse',
    headers: { 'content-type': 'application/json' },
    body: '{}',
    region: 'us-east-1',
    service: 'bedrock',
    credentials: { ...CREDENTIALS, sessionToken: 'TOKEN' },
    now,
  });
  assert.equal(headers['x-amz-date'], '20150830T123600Z');
  assert.equal(headers['x-amz-content-sha256'], sha256Hex('{}'));
  assert.equal(headers['x-amz-security-token'], 'TOKEN');
  assert.equal(headers['host'], undefined);
  assert.match(
    headers['authorization'] ?? '',
    /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20150830\/us-east-1\/bedrock\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
  );
  // The same inputs give the same signature; a different body gives another one.
  const again = signRequest({
    method: 'POST',
    url: 'https://bedrock-runtime.us-east-1.amazonaws.com/model/m%3A0/converse',
    headers: { 'content-type': 'application/json' },
    body: '{"x":1}',
    region: 'us-east-1',
    service: 'bedrock',
    credentials: { ...CREDENTIALS, sessionToken: 'TOKEN' },
    now,
  });
  assert.notEqual(again['authorization'], headers['authorization']);
});
