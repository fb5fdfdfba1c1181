/**
 * Request tags in the ledger. The gateway reads `x-switchyard-tags: team=search,env=prod,canary` into a
 * bounded list (src/server/request-context.ts); the ledger stores them as one JSON object per row so
 * reports can group by tag (`--by tag`) or by one tag's value (`--by tag:team`).
 */
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** `['team=search', 'canary']` → `{ team: 'search', canary: 'true' }`; a bare tag is a flag. */
export function tagsRecord(tags: readonly string[]): Record<string, string> | undefined {
  if (tags.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const tag of tags) {
    const eq = tag.indexOf('=');
    if (eq < 0) out[tag.trim()] = 'true';
    else out[tag.slice(0, eq).trim()] = tag.slice(eq + 1).trim();
  }
  return out;
}

/** Tag names `--by tag:NAME` accepts (they go into a JSON path, so the alphabet is closed). */
export function isTagName(name: string): boolean {
  return NAME.test(name);
}
