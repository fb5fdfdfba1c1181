import type { ProviderAdapter } from '../spec/adapter.js';
import { createAnthropicAdapter } from './anthropic/anthropic-adapter.js';
import { createBedrockAdapter } from './bedrock/adapter.js';
import { createGeminiAdapter } from './gemini/adapter.js';
import { createOpenAICompatibleAdapter } from './openai-compatible/adapter.js';

/**
 * Every provider adapter by id: one `as const` table, the single place an adapter is registered
 * (unlike Portkey's three). The config's `backends[].provider` must be one of these keys.
 */
const FACTORIES = {
  'openai-compatible': createOpenAICompatibleAdapter,
  anthropic: createAnthropicAdapter,
  bedrock: () => createBedrockAdapter(),
  gemini: () => createGeminiAdapter(),
} as const satisfies Record<string, () => ProviderAdapter>;

export type ProviderId = keyof typeof FACTORIES;

export const PROVIDER_IDS = Object.keys(FACTORIES) as ProviderId[];

export function isProviderId(value: string): value is ProviderId {
  return Object.hasOwn(FACTORIES, value);
}

/** A fresh adapter instance (adapters cache per-target values, so one per gateway). */
export function createAdapter(id: ProviderId): ProviderAdapter {
  return FACTORIES[id]();
}
