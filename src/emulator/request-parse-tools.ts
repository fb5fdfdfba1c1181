import { badRequest } from './http-error.js';
import type { ResponseFormat, ToolChoice, ToolDef } from './request-types.js';

/** The tool-calling and structured-output fields of a request: `tools`, `tool_choice`, `response_format`. */
type Body = Record<string, unknown>;

const TOOL_NAME = /^[a-zA-Z0-9_.-]{1,64}$/;

export function parseTools(tools: unknown): ToolDef[] {
  if (tools === undefined || tools === null) return [];
  if (!Array.isArray(tools)) throw badRequest('`tools` must be an array', 'tools');
  return tools.map((t, i) => {
    const param = `tools[${i}]`;
    if (typeof t !== 'object' || t === null || (t as Body)['type'] !== 'function') {
      throw badRequest(`\`${param}.type\` must be "function"`, `${param}.type`);
    }
    const fn = (t as Body)['function'];
    if (typeof fn !== 'object' || fn === null) throw badRequest(`\`${param}.function\` must be an object`, `${param}.function`);
    const f = fn as Body;
    if (typeof f['name'] !== 'string' || !TOOL_NAME.test(f['name'])) {
      throw badRequest(`\`${param}.function.name\` must match ${TOOL_NAME.source}`, `${param}.function.name`);
    }
    const parameters = f['parameters'] ?? {};
    if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)) {
      throw badRequest(`\`${param}.function.parameters\` must be a JSON Schema object`, `${param}.function.parameters`);
    }
    const def: ToolDef = { name: f['name'], parameters };
    if (typeof f['description'] === 'string') def.description = f['description'];
    return def;
  });
}

export function parseToolChoice(choice: unknown, tools: ToolDef[]): ToolChoice {
  if (choice === undefined || choice === null) return { kind: tools.length > 0 ? 'auto' : 'none' };
  if (choice === 'none' || choice === 'auto' || choice === 'required') {
    if (choice !== 'none' && tools.length === 0) throw badRequest(`tool_choice "${choice}" needs \`tools\``, 'tool_choice');
    return { kind: choice };
  }
  if (typeof choice === 'object' && !Array.isArray(choice)) {
    const fn = (choice as Body)['function'];
    const name = typeof fn === 'object' && fn !== null ? (fn as Body)['name'] : undefined;
    if ((choice as Body)['type'] !== 'function' || typeof name !== 'string') {
      throw badRequest('`tool_choice` must be "none", "auto", "required" or {"type":"function","function":{"name":…}}', 'tool_choice');
    }
    if (!tools.some((t) => t.name === name)) throw badRequest(`tool_choice names "${name}", which is not in \`tools\``, 'tool_choice');
    return { kind: 'named', name };
  }
  throw badRequest('`tool_choice` must be "none", "auto", "required" or {"type":"function","function":{"name":…}}', 'tool_choice');
}

export function parseResponseFormat(format: unknown): ResponseFormat {
  if (format === undefined || format === null) return { kind: 'text' };
  const f = typeof format === 'object' && !Array.isArray(format) ? (format as Body) : undefined;
  const type = f?.['type'];
  if (type === 'text') return { kind: 'text' };
  if (type === 'json_object') return { kind: 'json_object' };
  if (type === 'json_schema') {
    const js = f?.['json_schema'];
    const schema = typeof js === 'object' && js !== null ? (js as Body)['schema'] : undefined;
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
      throw badRequest('`response_format.json_schema.schema` must be a JSON Schema object', 'response_format.json_schema.schema');
    }
    return { kind: 'json_schema', schema };
  }
  throw badRequest('`response_format.type` must be "text", "json_object" or "json_schema"', 'response_format.type');
}
