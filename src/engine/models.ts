/**
 * Model profiles, from each model's Hugging Face `config.json` and model card. Parameter counts include the
 * embedding and LM head (the weights the server loads); `activeParametersB` is what one token multiplies.
 */
import type { ModelProfile } from './types.js';

const BF16 = 'served in BF16 (2 bytes per weight and per KV element), the checkpoint dtype ("torch_dtype": "bfloat16")';

function card(repo: string): string {
  return `https://huggingface.co/${repo}/blob/main/config.json`;
}

export const LLAMA_31_8B: ModelProfile = {
  id: 'llama-3.1-8b',
  name: 'Llama 3.1 8B Instruct',
  parametersB: 8.03,
  activeParametersB: 8.03,
  layers: 32,
  hiddenSize: 4096,
  attentionHeads: 32,
  kvHeads: 8,
  headDim: 128,
  dtypeBytes: 2,
  maxContextTokens: 131072,
  sources: {
    parametersB: 'Meta Llama 3.1 model card: 8B (8,030,261,248 parameters in the safetensors index)',
    activeParametersB: 'dense model: all parameters active',
    layers: `${card('meta-llama/Llama-3.1-8B-Instruct')}: num_hidden_layers 32`,
    hiddenSize: `${card('meta-llama/Llama-3.1-8B-Instruct')}: hidden_size 4096`,
    attentionHeads: `${card('meta-llama/Llama-3.1-8B-Instruct')}: num_attention_heads 32`,
    kvHeads: `${card('meta-llama/Llama-3.1-8B-Instruct')}: num_key_value_heads 8 (GQA)`,
    headDim: 'hidden_size / num_attention_heads = 128',
    dtypeBytes: BF16,
    maxContextTokens: `${card('meta-llama/Llama-3.1-8B-Instruct')}: max_position_embeddings 131072`,
  },
};

export const LLAMA_31_70B: ModelProfile = {
  id: 'llama-3.1-70b',
  name: 'Llama 3.1 70B Instruct',
  parametersB: 70.55,
  activeParametersB: 70.55,
  layers: 80,
  hiddenSize: 8192,
  attentionHeads: 64,
  kvHeads: 8,
  headDim: 128,
  dtypeBytes: 2,
  maxContextTokens: 131072,
  sources: {
    parametersB: 'Meta Llama 3.1 model card: 70B (70,553,706,496 parameters in the safetensors index)',
    activeParametersB: 'dense model: all parameters active',
    layers: `${card('meta-llama/Llama-3.1-70B-Instruct')}: num_hidden_layers 80`,
    hiddenSize: `${card('meta-llama/Llama-3.1-70B-Instruct')}: hidden_size 8192`,
    attentionHeads: `${card('meta-llama/Llama-3.1-70B-Instruct')}: num_attention_heads 64`,
    kvHeads: `${card('meta-llama/Llama-3.1-70B-Instruct')}: num_key_value_heads 8 (GQA)`,
    headDim: 'hidden_size / num_attention_heads = 128',
    dtypeBytes: BF16,
    maxContextTokens: `${card('meta-llama/Llama-3.1-70B-Instruct')}: max_position_embeddings 131072`,
  },
};

export const QWEN3_32B: ModelProfile = {
  id: 'qwen3-32b',
  name: 'Qwen3 32B',
  parametersB: 32.8,
  activeParametersB: 32.8,
  layers: 64,
  hiddenSize: 5120,
  attentionHeads: 64,
  kvHeads: 8,
  headDim: 128,
  dtypeBytes: 2,
  maxContextTokens: 40960,
  sources: {
    parametersB: 'Qwen3-32B model card: 32.8B parameters (31.2B non-embedding)',
    activeParametersB: 'dense model: all parameters active',
    layers: `${card('Qwen/Qwen3-32B')}: num_hidden_layers 64`,
    hiddenSize: `${card('Qwen/Qwen3-32B')}: hidden_size 5120`,
    attentionHeads: `${card('Qwen/Qwen3-32B')}: num_attention_heads 64`,
    kvHeads: `${card('Qwen/Qwen3-32B')}: num_key_value_heads 8`,
    headDim: `${card('Qwen/Qwen3-32B')}: head_dim 128 (heads x head_dim = 8192 != hidden_size)`,
    dtypeBytes: BF16,
    maxContextTokens: `${card('Qwen/Qwen3-32B')}: max_position_embeddings 40960 (card: 32,768 native, 131,072 with YaRN)`,
  },
};

export const QWEN3_30B_A3B: ModelProfile = {
  id: 'qwen3-30b-a3b',
  name: 'Qwen3 30B-A3B (MoE)',
  parametersB: 30.5,
  activeParametersB: 3.3,
  layers: 48,
  hiddenSize: 2048,
  attentionHeads: 32,
  kvHeads: 4,
  headDim: 128,
  dtypeBytes: 2,
  maxContextTokens: 40960,
  experts: 128,
  expertsPerToken: 8,
  sources: {
    parametersB: 'Qwen3-30B-A3B model card: 30.5B total parameters',
    activeParametersB: 'Qwen3-30B-A3B model card: 3.3B activated parameters',
    layers: `${card('Qwen/Qwen3-30B-A3B')}: num_hidden_layers 48`,
    hiddenSize: `${card('Qwen/Qwen3-30B-A3B')}: hidden_size 2048`,
    attentionHeads: `${card('Qwen/Qwen3-30B-A3B')}: num_attention_heads 32`,
    kvHeads: `${card('Qwen/Qwen3-30B-A3B')}: num_key_value_heads 4`,
    headDim: `${card('Qwen/Qwen3-30B-A3B')}: head_dim 128`,
    dtypeBytes: BF16,
    maxContextTokens: `${card('Qwen/Qwen3-30B-A3B')}: max_position_embeddings 40960 (card: 32,768 native)`,
    experts: `${card('Qwen/Qwen3-30B-A3B')}: num_experts 128`,
    expertsPerToken: `${card('Qwen/Qwen3-30B-A3B')}: num_experts_per_tok 8`,
  },
};

export const MODELS: Readonly<Record<string, ModelProfile>> = Object.freeze({
  [LLAMA_31_8B.id]: LLAMA_31_8B,
  [LLAMA_31_70B.id]: LLAMA_31_70B,
  [QWEN3_32B.id]: QWEN3_32B,
  [QWEN3_30B_A3B.id]: QWEN3_30B_A3B,
});

/** The profile for `id`; throws naming the known ids when there is none. */
export function modelProfile(id: string): ModelProfile {
  const profile = Object.hasOwn(MODELS, id) ? MODELS[id] : undefined;
  if (!profile) {
    throw new RangeError(`unknown model "${id}"; known models: ${Object.keys(MODELS).join(', ')}`);
  }
  return profile;
}

/** KV-cache bytes one token occupies across the whole model: K and V, every layer, every KV head. */
export function kvBytesPerToken(model: ModelProfile): number {
  return 2 * model.layers * model.kvHeads * model.headDim * model.dtypeBytes;
}
