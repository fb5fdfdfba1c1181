import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseChatRequest as parseOpenAIChat } from '../../api/openai/parse-chat.js';
import { parseMessagesRequest } from '../../api/anthropic/parse-request.js';
import { parseChatRequest as parseAsEmulator } from '../../emulator/request-parse.js';
import type { ChatRequest } from '../../spec/request.js';
import type { Json } from '../../api/http/fields.js';
import type { UpstreamTarget } from '../../spec/adapter.js';
import { renderChat } from '../../tokenizer/chat-template.js';
import { fixtureUpstream } from '../adapter-test-support.js';
import { createOpenAICompatibleAdapter } from './adapter.js';

/**
 * The contract behind cache-aware routing on chat requests: for a backend with `chatTemplate: chatml`, the
 * prompt the gateway hashes (`renderPrompt`) is exactly the prompt the engine renders from the body the
 * adapter really sends — checked against the emulator's own request parser and template, on requests from
 * both surfaces.
 */
const upstream = fixtureUpstream();
const adapter = createOpenAICompatibleAdapter();

const REPLY = JSON.stringify({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'llama',
  choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
});

const tools = [
  { type: 'function', function: { name: 'lookup_train', description: 'Finds a train by number.', parameters: { type: 'object', properties: { number: { type: 'string' } } } } },
  { type: 'function', function: { name: 'no_params' } },
];

const openaiBodies: Record<string, Json> = {
  'system and user': { model: 'rail', messages: [{ role: 'system', content: 'You are a dispatcher.' }, { role: 'user', content: 'Where is train 4?' }] },
  'parts, an image and a developer message': {
    model: 'rail',
    messages: [
      { role: 'developer', content: [{ type: 'text', text: 'Be brief. ' }, { type: 'text', text: 'Cite the timetable.' }] },
      { role: 'user', content: [{ type: 'text', text: 'What is on this platform?' }, { type: 'image_url', image_url: { url: 'https://example.com/p.png' } }] },
    ],
  },
  'tools, a call and its result': {
    model: 'rail',
    tools,
    messages: [
      { role: 'user', content: 'Where is train 4?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup_train', arguments: '{"number":"4"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'Platform 9, on time.' },
      { role: 'assistant', content: 'Train 4 is at platform 9.' },
      { role: 'user', content: 'And train 5?' },
    ],
  },
};

const anthropicBodies: Record<string, Json> = {
  'system blocks, tool use and result': {
    model: 'rail',
    max_tokens: 64,
    system: [{ type: 'text', text: 'You are a dispatcher.' }, { type: 'text', text: 'Answer in one line.', cache_control: { type: 'ephemeral' } }],
    tools: [{ name: 'lookup_train', description: 'Finds a train by number.', input_schema: { type: 'object', properties: { number: { type: 'string' } } } }],
    messages: [
      { role: 'user', content: 'Where is train 4?' },
      { role: 'assistant', content: [{ type: 'text', text: 'Checking.' }, { type: 'tool_use', id: 'toolu_1', name: 'lookup_train', input: { number: '4' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'Platform 9.' }, { type: 'text', text: 'Thanks. And 5?' }] },
    ],
  },
};

function target(): UpstreamTarget {
  return { baseUrl: `${upstream.url}/v1`, upstreamModel: 'llama', options: { vendor: 'vllm', chatTemplate: 'chatml' } };
}

async function sentAndHashed(request: ChatRequest): Promise<{ engine: string; gateway: string | undefined }> {
  upstream.respond({ status: 200, headers: { 'content-type': 'application/json' }, body: REPLY });
  await adapter.chat(request, target(), upstream.context('req-1'));
  const sent = JSON.parse(upstream.lastRequest().body) as unknown;
  const asEngine = parseAsEmulator(sent);
  return { engine: renderChat(asEngine.messages, asEngine.tools), gateway: adapter.renderPrompt?.(request, target()) };
}

for (const [name, body] of Object.entries(openaiBodies)) {
  test(`OpenAI surface, ${name}: the gateway hashes what the engine renders`, async () => {
    const { engine, gateway } = await sentAndHashed(parseOpenAIChat(body).request);
    assert.equal(gateway, engine);
  });
}

for (const [name, body] of Object.entries(anthropicBodies)) {
  test(`Anthropic surface, ${name}: the gateway hashes what the engine renders`, async () => {
    const { engine, gateway } = await sentAndHashed(parseMessagesRequest(body));
    assert.equal(gateway, engine);
  });
}

test('without a known template the adapter renders nothing (the gateway hashes plain text)', () => {
  const request = parseOpenAIChat(openaiBodies['system and user'] as Json).request;
  assert.equal(adapter.renderPrompt?.(request, { baseUrl: 'http://127.0.0.1:1/v1', upstreamModel: 'llama', options: { vendor: 'vllm' } }), undefined);
});
