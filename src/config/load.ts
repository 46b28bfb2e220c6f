import { readFileSync, existsSync } from 'node:fs';
import { LineCounter, parseDocument, isMap, isSeq, isScalar, isPair, type Node } from 'yaml';
import type { ZodType, ZodTypeAny, ZodTypeDef } from 'zod';
import { RadarError } from '../platform/errors.js';
import { ConfigError, type ConfigIssue } from './config-error.js';
import { secretValues } from './secret.js';

export { ConfigError, formatIssue, type ConfigIssue } from './config-error.js';

type PathPart = string | number;

function pathToString(path: readonly PathPart[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? part : `.${part}`;
  return out;
}

/** Finds the YAML node at `path` (or the deepest existing parent) and returns its 1-based line. */
function lineOf(doc: ReturnType<typeof parseDocument>, counter: LineCounter, path: readonly PathPart[]): number | null {
  let node: unknown = doc.contents;
  let best: number | null = null;
  const lineAt = (n: unknown) => {
    const range = (n as Node | null)?.range;
    return range ? counter.linePos(range[0]).line : null;
  };
  best = lineAt(node);
  for (const part of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(part));
      if (!pair) break;
      best = lineAt(pair.key) ?? best;
      node = pair.value;
    } else if (isSeq(node) && typeof part === 'number') {
      node = node.items[part];
      best = lineAt(node) ?? best;
    } else break;
  }
  return best;
}

const ENV_PATTERN = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${VAR}` (and `${VAR:-default}`) in every string value. A missing variable without a
 * default is an error at that key: secrets come only from the environment, and a typo must not
 * silently become an empty password.
 */
function interpolate(value: unknown, env: NodeJS.ProcessEnv, path: PathPart[], missing: PathPart[][], names: string[]): unknown {
  if (typeof value === 'string') {
    return value.replace(ENV_PATTERN, (_, name: string, fallback: string | undefined) => {
      const found = env[name];
      if (found !== undefined) return found;
      if (fallback !== undefined) return fallback;
      missing.push([...path]);
      names.push(name);
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, [...path, i], missing, names));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, interpolate(v, env, [...path, k], missing, names)]),
    );
  }
  return value;
}

/**
 * Is a secret's value written as environment references only: at least one `${VAR}` and no literal
 * default (`${VAR:-}` with an empty default is fine)? An empty value is no secret at all.
 */
function fromEnvironmentOnly(value: unknown): boolean {
  if (value === null || value === '') return true;
  if (typeof value !== 'string') return false;
  let references = 0;
  for (const match of value.matchAll(ENV_PATTERN)) {
    references += 1;
    if (match[2] !== undefined && match[2] !== '') return false;
  }
  return references > 0;
}

const startsWith = (path: readonly PathPart[], prefix: readonly PathPart[]) => prefix.every((part, i) => String(path[i]) === String(part));

/**
 * Parses YAML text with a schema; every failure becomes a ConfigError naming file, key, line. All
 * problems are reported at once, in file order: unset environment variables, secrets written in the
 * file where the schema wants them from the environment, and schema errors (except those that only
 * follow from an unset variable). A YAML syntax error stops early (nothing after it can be trusted).
 */
export function parseConfigText<T>(
  text: string,
  file: string,
  schema: ZodType<T, ZodTypeDef, unknown>,
  env: NodeJS.ProcessEnv = process.env,
): T {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.slice(0, 1).map((e) => ({
        file,
        path: '',
        line: e.linePos?.[0]?.line ?? counter.linePos(e.pos[0]).line,
        message: `YAML syntax error: ${e.message.split('\n')[0]}`,
      })),
    );
  }
  const raw = doc.toJS({ maxAliasCount: 100 }) ?? {};
  const missing: PathPart[][] = [];
  const names: string[] = [];
  const value = interpolate(raw, env, [], missing, names);
  const issues: ConfigIssue[] = missing.map((path, i) => ({
    file,
    path: pathToString(path),
    line: lineOf(doc, counter, path),
    message: `environment variable ${names[i]} is not set`,
  }));
  for (const secret of secretValues(schema as unknown as ZodTypeAny, raw)) {
    if (fromEnvironmentOnly(secret.value)) continue;
    const path = secret.path as PathPart[];
    issues.push({
      file,
      path: pathToString(path),
      line: lineOf(doc, counter, path),
      message: `a secret written in the file: set it in the environment and write \${${secret.variable}} here`,
    });
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const path = issue.path as PathPart[];
      if (missing.some((m) => startsWith(path, m))) continue; // follows from the unset variable
      if (issue.code === 'unrecognized_keys') {
        const message = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
        issues.push({ file, path: pathToString(path), line: lineOf(doc, counter, [...path, issue.keys[0] ?? '']), message });
      } else {
        issues.push({ file, path: pathToString(path), line: lineOf(doc, counter, path), message: issue.message });
      }
    }
  }
  if (result.success && issues.length === 0) return result.data;
  // Schema errors left out above were caused by an unset variable, which is itself an issue: never empty.
  const order = issues.map((issue, i) => ({ issue, i }));
  order.sort((a, b) => (a.issue.line ?? Number.MAX_SAFE_INTEGER) - (b.issue.line ?? Number.MAX_SAFE_INTEGER) || a.i - b.i);
  throw new ConfigError(order.map((o) => o.issue));
}

/** Reads and validates a YAML config file. */
export function loadConfigFile<T>(
  file: string,
  schema: ZodType<T, ZodTypeDef, unknown>,
  env: NodeJS.ProcessEnv = process.env,
): T {
  if (!existsSync(file)) {
    throw new RadarError('ERR_CONFIG_NOT_FOUND', `${file}: file not found`, { context: { file } });
  }
  return parseConfigText(readFileSync(file, 'utf8'), file, schema, env);
}
