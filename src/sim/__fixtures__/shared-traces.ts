import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The real traces folder for tests that read it when present: `../shared/data/traces` next to the repository
 * (the main checkout), or two levels up (a worktree under wt/). Never copied into the repository.
 */
export function sharedTrace(name: string): string | undefined {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  for (const dir of ['../shared/data/traces/', '../../shared/data/traces/']) {
    const path = `${root}${dir}${name}`;
    if (existsSync(path)) return path;
  }
  return undefined;
}
