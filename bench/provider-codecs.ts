/**
 * Per-request CPU the Bedrock and Gemini adapters add in the gateway: SigV4 signing of a Converse call,
 * event-stream decoding + conversion of a ConverseStream reply, and SSE parsing + conversion of a Gemini
 * stream. Pure CPU, no sockets; prints µs per operation and MB/s.
 *
 *   node --import tsx bench/provider-codecs.ts [iterations=20000]
 */
import { performance } from 'node:perf_hooks';
import { ConverseStreamConverter, readFrame } from '../src/providers/bedrock/convert-stream.js';
import { EventStreamDecoder, encodeEventStreamMessage } from '../src/providers/bedrock/event-stream-codec.js';
import { signRequest } from '../src/providers/bedrock/sigv4.js';
import { GeminiStreamConverter, readChunks } from '../src/providers/gemini/convert-stream.js';

const iterations = Number(process.argv[2] ?? 20_000);

function time(label: string, n: number, bytes: number, run: () => void): void {
  run(); // warm up
  const start = performance.now();
  for (let i = 0; i < n; i++) run();
  const ms = performance.now() - start;
  const perOp = (ms * 1000) / n;
  const rate = bytes > 0 ? `, ${((bytes * n) / (ms / 1000) / 1e6).toFixed(1)} MB/s` : '';
  console.log(`${label.padEnd(48)} ${perOp.toFixed(1).padStart(8)} µs/op${rate}`);
}

// A Converse body of ~4 KB (a system prompt and a few turns).
const body = JSON.stringify({
  system: [{ text: 'You are a dispatcher. '.repeat(40) }],
  messages: Array.from({ length: 6 }, (_, i) => ({ role: i % 2 === 0 ? 'user' : 'assistant', content: [{ text: 'Which platform? '.repeat(30) }] })),
  inferenceConfig: { maxTokens: 512 },
});
time('SigV4 sign a 4 KB Converse request', iterations, 0, () => {
  signRequest({
    method: 'POST',
    url: 'https://bedrock-runtime.us-east-1.amazonaws.com/model/us.anthropic.claude-sonnet-4-20250514-v1%3A0/converse-stream',
    headers: { 'content-type': 'application/json' },
    body,
    region: 'us-east-1',
    service: 'bedrock',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'token' },
    now: new Date('2026-11-22T10:30:00Z'),
  });
});

// A ConverseStream reply of 300 text deltas, cut into 1,400-byte TCP-sized chunks.
const headers = (type: string) => ({ ':event-type': type, ':content-type': 'application/json', ':message-type': 'event' });
const frames = [
  encodeEventStreamMessage(headers('messageStart'), '{"role":"assistant","p":"abcdefghijklmnop"}'),
  ...Array.from({ length: 300 }, () => encodeEventStreamMessage(headers('contentBlockDelta'), '{"contentBlockIndex":0,"delta":{"text":" a token"},"p":"abcdefghijklmnopqrstu"}')),
  encodeEventStreamMessage(headers('contentBlockStop'), '{"contentBlockIndex":0}'),
  encodeEventStreamMessage(headers('messageStop'), '{"stopReason":"end_turn"}'),
  encodeEventStreamMessage(headers('metadata'), '{"usage":{"inputTokens":900,"outputTokens":300,"totalTokens":1200},"metrics":{"latencyMs":1}}'),
];
const stream = Buffer.concat(frames.map((f) => Buffer.from(f)));
const chunks: Buffer[] = [];
for (let at = 0; at < stream.length; at += 1400) chunks.push(stream.subarray(at, at + 1400));
time(`ConverseStream decode+convert (${frames.length} frames)`, Math.max(1, iterations / 20), stream.length, () => {
  const decoder = new EventStreamDecoder();
  const converter = new ConverseStreamConverter('id', 'model');
  for (const chunk of chunks) for (const message of decoder.push(chunk)) converter.convert(readFrame(message));
  decoder.end();
  converter.end();
});

// A Gemini SSE reply of 100 chunks.
const line = (text: string, last: boolean) =>
  `data: {"candidates": [{"content": {"parts": [{"text": "${text}"}],"role": "model"}${last ? ',"finishReason": "STOP"' : ''},"index": 0}],"usageMetadata": {"promptTokenCount": 900,"candidatesTokenCount": 3,"totalTokenCount": 903},"modelVersion": "gemini-2.5-flash","responseId": "abc"}\r\n\r\n`;
const sse = Buffer.from(Array.from({ length: 100 }, (_, i) => line(' three more tokens', i === 99)).join(''));
const sseChunks: Buffer[] = [];
for (let at = 0; at < sse.length; at += 1400) sseChunks.push(sse.subarray(at, at + 1400));
let pending = 0;
async function geminiOnce(): Promise<void> {
  const converter = new GeminiStreamConverter('id', 'model');
  async function* body() {
    yield* sseChunks;
  }
  for await (const chunk of readChunks(body())) converter.convert(chunk);
  converter.end();
}
const n = Math.max(1, iterations / 20);
await geminiOnce();
const start = performance.now();
for (let i = 0; i < n; i++) {
  pending++;
  await geminiOnce();
}
const ms = performance.now() - start;
console.log(
  `${'Gemini SSE parse+convert (100 events)'.padEnd(48)} ${((ms * 1000) / pending).toFixed(1).padStart(8)} µs/op, ${((sse.length * pending) / (ms / 1000) / 1e6).toFixed(1)} MB/s`,
);
