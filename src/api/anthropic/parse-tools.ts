import type { ToolChoice, ToolDefinition } from '../../spec/request.js';
import { array, boolean, invalid, join, nonEmptyString, object, oneOf, optional, string, unsupported } from './check.js';
import { parseCacheControl } from './parse-content.js';

/**
 * `tools` and `tool_choice` (https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use).
 * Client tools (`type` absent or "custom") map to canonical tool definitions; Anthropic's server tools
 * (`web_search_20250305`, `bash_20250124`, …) run inside Anthropic's API and have no meaning on another
 * backend, so they are refused by name.
 */
export function parseTools(value: unknown, path: string): ToolDefinition[] {
  const names = new Set<string>();
  return array(value, path).map((item, i) => {
    const p = join(path, i);
    const raw = object(item, p);
    const type = raw['type'];
    if (type !== undefined && type !== null && type !== 'custom') {
      throw unsupported(join(p, 'type'), `server tool "${String(type)}" is not supported by this gateway; only client tools are`);
    }
    const name = nonEmptyString(raw['name'], join(p, 'name'));
    if (names.has(name)) throw invalid(join(p, 'name'), `tool names must be unique, "${name}" appears twice`);
    names.add(name);
    const inputSchema = object(raw['input_schema'], join(p, 'input_schema'));
    const tool: ToolDefinition = { name, inputSchema };
    const description = optional(raw, 'description', p, string);
    if (description !== undefined) tool.description = description;
    const strict = optional(raw, 'strict', p, boolean);
    if (strict !== undefined) tool.strict = strict;
    const cacheControl = parseCacheControl(raw, p);
    if (cacheControl !== undefined) tool.cacheControl = cacheControl;
    return tool;
  });
}

export interface ParsedToolChoice {
  toolChoice: ToolChoice;
  /** From `disable_parallel_tool_use`; undefined when the client did not say. */
  parallelToolCalls?: boolean;
}

export function parseToolChoice(value: unknown, path: string): ParsedToolChoice {
  const raw = object(value, path);
  const type = oneOf(raw['type'], join(path, 'type'), ['auto', 'any', 'tool', 'none'] as const);
  let toolChoice: ToolChoice;
  if (type === 'tool') toolChoice = { type: 'tool', name: nonEmptyString(raw['name'], join(path, 'name')) };
  else if (type === 'any') toolChoice = { type: 'required' };
  else toolChoice = { type };
  const disable = optional(raw, 'disable_parallel_tool_use', path, boolean);
  if (disable !== undefined && type === 'none') {
    throw invalid(join(path, 'disable_parallel_tool_use'), 'not allowed with tool_choice "none"');
  }
  return disable === undefined ? { toolChoice } : { toolChoice, parallelToolCalls: !disable };
}
