export { createGeminiAdapter, geminiAdapter, type GeminiAdapterOptions } from './adapter.js';
