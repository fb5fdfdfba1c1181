import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { SimInputError } from './types.js';

/** Parses YAML text, then validates it; errors name the file and the line (syntax) or the field path. */
export function parseYamlWith<T>(text: string, file: string, schema: z.ZodType<T>): T {
  const doc = parseDocument(text, { prettyErrors: true });
  const syntax = doc.errors[0];
  if (syntax !== undefined) {
    const line = syntax.linePos?.[0]?.line;
    throw new SimInputError(`${file}${line === undefined ? '' : `:${line}`}: invalid YAML: ${syntax.message.split('\n')[0] ?? ''}`);
  }
  const result = schema.safeParse(doc.toJS());
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue === undefined ? '' : formatPath(issue.path);
    throw new SimInputError(`${file}: ${path === '' ? '' : `${path}: `}${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

/** `pools[0].tensorParallel` */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}
