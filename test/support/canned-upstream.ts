import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A minimal OpenAI-compatible upstream answering every call at once with a canned completion: JSON, or
 * SSE when the body asks for `"stream":true` (with a usage chunk). Responses are built once; the server
 * does no per-request work beyond reading the body. Used by the fuzz test and, in its own process, as the
 * zero-delay upstream of bench/gateway.ts.
 */
const COMPLETION = Buffer.from(
  JSON.stringify({
    id: 'chatcmpl-canned',
    object: 'chat.completion',
    created: 1763800000,
    model: 'canned',
    choices: [{ index: 0, message: { role: 'assistant', content: 'All signals green on every line.' }, logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19, prompt_tokens_details: { cached_tokens: 0 } },
  }),
);
const chunk = (delta: string, finish: string | null = null): string =>
  `data: {"id":"chatcmpl-canned","object":"chat.completion.chunk","created":1763800000,"model":"canned","choices":[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finish === null ? 'null' : `"${finish}"`}}]}\n\n`;
const STREAM = Buffer.from(
  chunk('{"role":"assistant","content":""}') +
    ['All', ' signals', ' green', ' on', ' every', ' line', '.'].map((t) => chunk(`{"content":"${t}"}`)).join('') +
    chunk('{}', 'stop') +
    'data: {"id":"chatcmpl-canned","object":"chat.completion.chunk","created":1763800000,"model":"canned","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":7,"total_tokens":19,"prompt_tokens_details":{"cached_tokens":0}}}\n\n' +
    'data: [DONE]\n\n',
);
const COMPLETION_TEXT = Buffer.from(
  '{"id":"cmpl-canned","object":"text_completion","created":1763800000,"model":"canned","choices":[{"index":0,"text":" green","logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}',
);
const EMBEDDING = Buffer.from('{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.25,-0.5,1]}],"model":"canned","usage":{"prompt_tokens":3,"total_tokens":3}}');
const COMPLETION_STREAM = Buffer.from(
  'data: {"id":"cmpl-canned","object":"text_completion","created":1763800000,"model":"canned","choices":[{"index":0,"text":" green","logprobs":null,"finish_reason":"stop"}]}\n\n' +
    'data: {"id":"cmpl-canned","object":"text_completion","created":1763800000,"model":"canned","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}\n\n' +
    'data: [DONE]\n\n',
);

const JSON_HEADERS = { 'content-type': 'application/json' };
const SSE_HEADERS = { 'content-type': 'text/event-stream' };

export async function startCannedUpstream(port = 0, host = '127.0.0.1'): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer({ keepAliveTimeout: 65_000 }, (request, response) => {
    let streaming = false;
    request.on('data', (part: Buffer) => {
      if (!streaming && part.includes('"stream":true')) streaming = true;
    });
    request.on('end', () => {
      const url = request.url ?? '';
      let body: Buffer;
      if (url.endsWith('/embeddings')) body = EMBEDDING;
      else if (url.endsWith('/chat/completions')) body = streaming ? STREAM : COMPLETION;
      else if (url.endsWith('/completions')) body = streaming ? COMPLETION_STREAM : COMPLETION_TEXT;
      else {
        response.writeHead(404, JSON_HEADERS);
        response.end('{"error":{"message":"not found","type":"invalid_request_error"}}');
        return;
      }
      response.writeHead(200, { ...(streaming ? SSE_HEADERS : JSON_HEADERS), 'content-length': body.length });
      response.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// Run standalone: `node --import tsx test/support/canned-upstream.ts [port]` (the benchmark does).
if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  const upstream = await startCannedUpstream(Number(process.argv[2] ?? 0));
  process.stdout.write(`${upstream.url}\n`);
}
