/**
 * `${NAME}` in any string value is replaced by the environment variable NAME, so secrets stay out of the
 * file. A missing variable is an error naming it and the field that asked for it; `$${` writes a literal
 * `${`. Interpolation runs on parsed YAML values, not on the text, so a secret can never break the YAML.
 */
export class InterpolationError extends Error {
  constructor(
    readonly path: string,
    readonly variable: string,
  ) {
    super(`${path}: environment variable ${variable} is not set`);
    this.name = 'InterpolationError';
  }
}

const PATTERN = /\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export function interpolateEnv(value: unknown, env: Record<string, string | undefined>, path = ''): unknown {
  if (typeof value === 'string') {
    if (!value.includes('${')) return value;
    return value.replace(PATTERN, (_match, escape: string, name: string) => {
      if (escape === '$') return `\${${name}}`;
      const resolved = env[name];
      if (resolved === undefined) throw new InterpolationError(path || '(root)', name);
      return resolved;
    });
  }
  if (Array.isArray(value)) return value.map((item, index) => interpolateEnv(item, env, `${path}[${index}]`));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = interpolateEnv(item, env, path === '' ? key : `${path}.${key}`);
    return out;
  }
  return value;
}
