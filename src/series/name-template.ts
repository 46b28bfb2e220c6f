/**
 * PURE: series-name templates of pulled metrics. `errors.{service}` turns one query that returns a
 * series per `service` label into one radar series per service (`errors.auth`, `errors.mail`).
 * A placeholder is a label name (`{service}`, `{__name__}`) or, for Graphite, a node of the returned
 * target path counted from 0 (`{1}` of `app.web1.errors` is `web1`).
 */
import { seriesKeyProblem } from './series-key.js';

export type TemplatePart = { readonly text: string } | { readonly label: string };

const PLACEHOLDER = /^(?:[A-Za-z_][A-Za-z0-9_]*|\d{1,3})$/;
const LITERAL = /^[A-Za-z0-9_.:-]*$/;

/** The parts of `template`, or the reason it is not one. */
export function parseNameTemplate(template: string): { parts: TemplatePart[] } | { problem: string } {
  const parts: TemplatePart[] = [];
  let rest = template;
  while (rest.length > 0) {
    const open = rest.indexOf('{');
    const close = rest.indexOf('}');
    if (close !== -1 && (open === -1 || close < open)) return { problem: 'has a "}" without its "{"' };
    if (open === -1) {
      parts.push({ text: rest });
      break;
    }
    if (open > 0) parts.push({ text: rest.slice(0, open) });
    if (close === -1) return { problem: 'has a "{" without its "}"' };
    const name = rest.slice(open + 1, close);
    if (!PLACEHOLDER.test(name)) return { problem: `placeholder "{${name}}" must be a label name or a path node number` };
    parts.push({ label: name });
    rest = rest.slice(close + 1);
  }
  for (const part of parts) if ('text' in part && !LITERAL.test(part.text)) return { problem: 'may hold only letters, digits, _ . : - outside {placeholders}' };
  if (parts.length === 0) return { problem: 'must not be empty' };
  // With every placeholder filled with a plain word, the name must be a key one may write.
  const sample = parts.map((p) => ('text' in p ? p.text : 'x')).join('');
  const problem = seriesKeyProblem(sample);
  if (problem !== null) return { problem: problem.replace(/^is /, 'names a series that is ') };
  return { parts };
}

/** The placeholders of parsed parts (to tell a template that can split series from one that cannot). */
export function templateLabels(parts: readonly TemplatePart[]): string[] {
  return parts.flatMap((p) => ('label' in p ? [p.label] : []));
}

/** A label value as it may stand in a key: characters outside `A-Za-z0-9_.:-` become `_`. */
export function keySafe(value: string): string {
  return value.replace(/[^A-Za-z0-9_.:-]/g, '_');
}

/**
 * The series key for one returned series, or why there is none: a label the template names is
 * missing (or empty), or the result is not a key one may write (too long, a computed series).
 * `nodes` are the dot-separated parts of the returned name (Graphite's target).
 *
 * @example renderName(parts('errors.{service}'), { service: 'auth' }) // { key: 'errors.auth' }
 */
export function renderName(
  parts: readonly TemplatePart[],
  labels: Readonly<Record<string, string>>,
  nodes: readonly string[] = [],
): { key: string } | { problem: string } {
  let key = '';
  for (const part of parts) {
    if ('text' in part) {
      key += part.text;
      continue;
    }
    const value = /^\d+$/.test(part.label) ? nodes[Number(part.label)] : labels[part.label];
    if (value === undefined || value === '') return { problem: `has no ${/^\d+$/.test(part.label) ? `path node ${part.label}` : `label "${part.label}"`}` };
    key += keySafe(value);
  }
  const problem = seriesKeyProblem(key);
  return problem === null ? { key } : { problem: `"${key.slice(0, 200)}" ${problem}` };
}
