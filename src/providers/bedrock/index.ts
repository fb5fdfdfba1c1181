export { bedrockAdapter, createBedrockAdapter, type BedrockAdapterOptions } from './adapter.js';
