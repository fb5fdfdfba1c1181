import { ERROR_CATALOG, ERROR_CODES } from './catalog.js';

/** The table `docs/errors.md` holds between its markers; `errors-doc.test.ts` keeps the file equal to it. */
export function renderErrorTable(): string {
  const rows = ERROR_CODES.map((code) => {
    const spec = ERROR_CATALOG[code];
    return `| \`${code}\` | ${spec.status} | \`${spec.openaiType}\` | \`${spec.anthropicType}\` | ${spec.retryable ? 'yes' : 'no'} | ${spec.description} |`;
  });
  return [
    '| code | HTTP | OpenAI `type` | Anthropic `type` | retryable | meaning |',
    '|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

export const TABLE_START = '<!-- error-table:start -->';
export const TABLE_END = '<!-- error-table:end -->';
