import type { TwitterSourceConfig } from '../../config/twitter.js';

/**
 * The query sent to X: the configured one, plus `-is:retweet` (unless retweets are wanted or it is
 * already there) and a language clause when languages are configured (unless it has `lang:` itself).
 *
 * @example buildQuery({ query: '"mail.ru" down', excludeRetweets: true }) // '"mail.ru" down -is:retweet'
 */
export function buildQuery(config: Pick<TwitterSourceConfig, 'query' | 'excludeRetweets' | 'languages'>): string {
  let query = config.query.trim();
  if (config.excludeRetweets && !/(^|[\s(])-is:retweet\b/i.test(query)) query = `${wrap(query)} -is:retweet`;
  const langs = config.languages ?? [];
  if (langs.length > 0 && !/(^|[\s(-])lang:/i.test(query)) {
    const clause = langs.length === 1 ? `lang:${langs[0]}` : `(${langs.map((l) => `lang:${l}`).join(' OR ')})`;
    query = `${wrap(query)} ${clause}`;
  }
  return query;
}

/** A top-level OR binds looser than the AND we append: `a OR b -is:retweet` would only filter `b`. */
function wrap(query: string): string {
  return hasTopLevelOr(query) ? `(${query})` : query;
}

function hasTopLevelOr(query: string): boolean {
  let depth = 0;
  let quoted = false;
  const tokens = query.split(/(\s+|[()"])/);
  for (const token of tokens) {
    if (token === '"') quoted = !quoted;
    else if (quoted) continue;
    else if (token === '(') depth += 1;
    else if (token === ')') depth -= 1;
    else if (depth === 0 && token === 'OR') return true;
  }
  return false;
}
