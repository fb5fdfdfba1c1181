import type { ChatRequest } from '../../spec/request.js';
import { integer, invalid, join, object, oneOf, optional, string, type Json } from './check.js';

/**
 * `thinking` (https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking) and `output_config`
 * (effort and structured outputs). What the canonical form can say is mapped; where the mapping loses
 * something (adaptive thinking, `display`, effort "xhigh"/"max"), the client's original object is also kept
 * in `extra`, which an Anthropic upstream receives verbatim and other backends ignore.
 */
export function parseThinking(value: unknown, path: string, request: ChatRequest, extra: Json): void {
  if (value === undefined || value === null) return;
  const raw = object(value, path);
  const type = string(raw['type'], join(path, 'type'));
  switch (type) {
    case 'enabled': {
      // Anthropic's documented minimum budget is 1,024 tokens.
      const budgetTokens = integer(raw['budget_tokens'], join(path, 'budget_tokens'), 1024);
      request.reasoning = { ...request.reasoning, budgetTokens };
      if (raw['display'] !== undefined && raw['display'] !== null) extra['thinking'] = raw;
      return;
    }
    case 'disabled':
      return;
    case 'adaptive':
    case 'between_tools':
      // The model decides how much to think: reasoning on, no budget; Anthropic gets the original.
      request.reasoning = { ...request.reasoning };
      extra['thinking'] = raw;
      return;
    default:
      throw invalid(join(path, 'type'), `must be one of "enabled", "disabled", "adaptive", got "${type}"`);
  }
}

const EFFORTS = ['low', 'medium', 'high', 'xhigh', 'max'] as const;

export function parseOutputConfig(value: unknown, path: string, request: ChatRequest, extra: Json): void {
  if (value === undefined || value === null) return;
  const raw = object(value, path);
  let lossy = Object.keys(raw).some((key) => key !== 'effort' && key !== 'format');
  const effort = optional(raw, 'effort', path, (v, p) => oneOf(v, p, EFFORTS));
  if (effort !== undefined) {
    // The canonical scale stops at "high"; the stronger settings keep their original in `extra`.
    const canonical = effort === 'xhigh' || effort === 'max' ? 'high' : effort;
    if (canonical !== effort) lossy = true;
    request.reasoning = { ...request.reasoning, effort: canonical };
  }
  const format = optional(raw, 'format', path, object);
  if (format !== undefined) {
    const at = join(path, 'format');
    oneOf(format['type'], join(at, 'type'), ['json_schema'] as const);
    const schema = object(format['schema'], join(at, 'schema'));
    request.responseFormat = { type: 'json-schema', name: 'output', schema };
  }
  if (lossy) extra['output_config'] = raw;
}
