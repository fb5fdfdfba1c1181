/**
 * The slice of the Gemini API (generativelanguage.googleapis.com, v1beta) this adapter speaks. Source: the
 * REST reference (GenerateContentRequest, Content, Part, Tool, ToolConfig, GenerationConfig, Schema,
 * GenerateContentResponse, UsageMetadata, FinishReason) and the recorded responses in vercel/ai
 * packages/google/src/__fixtures__.
 */

export interface Part {
  text?: string;
  /** True on a thought summary part (only with thinkingConfig.includeThoughts). */
  thought?: boolean;
  /** Opaque signature that must go back with the part it came on (function calls on Gemini 3). */
  thoughtSignature?: string;
  inlineData?: { mimeType: string; data: string };
  fileData?: { mimeType?: string; fileUri: string };
  functionCall?: { name: string; args?: Record<string, unknown>; id?: string };
  functionResponse?: { name: string; response: Record<string, unknown>; id?: string };
}

export interface Content {
  role?: 'user' | 'model';
  parts: Part[];
}

/** OpenAPI 3.0 subset (Schema in the REST reference). */
export interface Schema {
  type?: 'STRING' | 'NUMBER' | 'INTEGER' | 'BOOLEAN' | 'ARRAY' | 'OBJECT' | 'NULL';
  format?: string;
  title?: string;
  description?: string;
  nullable?: boolean;
  enum?: string[];
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  propertyOrdering?: string[];
  minProperties?: number;
  maxProperties?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  anyOf?: Schema[];
  default?: unknown;
  example?: unknown;
}

export interface FunctionDeclaration {
  name: string;
  description?: string;
  parameters?: Schema;
}

export interface GenerationConfig {
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stopSequences?: string[];
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  responseMimeType?: string;
  responseSchema?: Schema;
  thinkingConfig?: { thinkingBudget?: number; includeThoughts?: boolean };
}

export interface GenerateContentRequest {
  contents: Content[];
  systemInstruction?: { parts: Part[] };
  tools?: Array<{ functionDeclarations: FunctionDeclaration[] }>;
  toolConfig?: { functionCallingConfig: { mode: 'AUTO' | 'ANY' | 'NONE'; allowedFunctionNames?: string[] } };
  generationConfig?: GenerationConfig;
  safetySettings?: unknown[];
}

export interface UsageMetadata {
  promptTokenCount?: number;
  cachedContentTokenCount?: number;
  candidatesTokenCount?: number;
  toolUsePromptTokenCount?: number;
  thoughtsTokenCount?: number;
  totalTokenCount?: number;
}

export interface Candidate {
  content?: { role?: string; parts?: Part[] };
  finishReason?: string;
  index?: number;
}

export interface GenerateContentResponse {
  candidates?: Candidate[];
  promptFeedback?: { blockReason?: string };
  usageMetadata?: UsageMetadata;
  modelVersion?: string;
  responseId?: string;
}

export interface ErrorBody {
  error?: { code?: number; message?: string; status?: string; details?: Array<Record<string, unknown>> };
}
