import { loadFixture } from './fixture-server.js';

/** A recorded OpenAI-compatible upstream answer from src/providers/openai-compatible/__fixtures__/. */
export function openaiFixture(name: string): string {
  return loadFixture(new URL('../../src/providers/openai-compatible/', import.meta.url).href, `__fixtures__/${name}`);
}

export const JSON_HEADERS = { 'content-type': 'application/json' } as const;
export const SSE_HEADERS = { 'content-type': 'text/event-stream' } as const;
