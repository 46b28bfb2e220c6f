import { z, type ZodTypeAny } from 'zod';
import { environmentVariableOf } from './secret.js';

/** One row of the config reference: a key path, its type, default and description. */
export interface ReferenceRow {
  readonly key: string;
  readonly type: string;
  readonly default: string;
  readonly description: string;
}

function unwrap(schema: ZodTypeAny): { inner: ZodTypeAny; def: unknown; optional: boolean; description: string | undefined } {
  let s = schema;
  let def: unknown;
  let optional = false;
  let description = schema.description;
  for (;;) {
    description ??= s.description;
    if (s instanceof z.ZodDefault) {
      def ??= (s._def as { defaultValue: () => unknown }).defaultValue();
      s = s._def.innerType as ZodTypeAny;
    } else if (s instanceof z.ZodOptional || s instanceof z.ZodNullable) {
      optional = true;
      s = s.unwrap() as ZodTypeAny;
    } else if (s instanceof z.ZodEffects) {
      s = s.innerType() as ZodTypeAny;
    } else if (s instanceof z.ZodLazy) {
      s = s.schema as ZodTypeAny;
    } else if (s instanceof z.ZodPipeline) {
      s = s._def.in as ZodTypeAny;
    } else break;
  }
  return { inner: s, def, optional, description };
}

function typeName(s: ZodTypeAny): string {
  if (s instanceof z.ZodString) return 'string';
  if (s instanceof z.ZodNumber) return 'number';
  if (s instanceof z.ZodBoolean) return 'boolean';
  if (s instanceof z.ZodLiteral) return JSON.stringify(s.value);
  if (s instanceof z.ZodEnum) return (s.options as string[]).join(' \\| ');
  if (s instanceof z.ZodArray) return `list of ${typeName(unwrap(s.element as ZodTypeAny).inner)}`;
  if (s instanceof z.ZodObject) return 'object';
  if (s instanceof z.ZodRecord) return 'map';
  if (s instanceof z.ZodUnion) {
    const names = (s.options as ZodTypeAny[]).map((o) => typeName(unwrap(o).inner));
    if (names.includes('string') && names.includes('number') && names.length === 2) return 'duration';
    return [...new Set(names)].join(' \\| ');
  }
  if (s instanceof z.ZodDiscriminatedUnion) return 'object (by type)';
  return 'value';
}

function formatDefault(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0) return '';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Walks a zod schema into reference rows (objects recurse; list items show as `key[]`). */
export function referenceRows(schema: ZodTypeAny, prefix = ''): ReferenceRow[] {
  const rows: ReferenceRow[] = [];
  const { inner } = unwrap(schema);
  const visitObject = (obj: z.ZodObject<z.ZodRawShape>, path: string) => {
    for (const [key, child] of Object.entries(obj.shape)) {
      const full = path === '' ? key : `${path}.${key}`;
      const u = unwrap(child as ZodTypeAny);
      const variable = environmentVariableOf(child as ZodTypeAny);
      const secret = variable === null ? '' : ` **Secret: only as \`\${${variable}}\`** (or another variable); a value written in the file is rejected.`;
      rows.push({
        key: full,
        type: typeName(u.inner) + (u.optional ? ' (optional)' : ''),
        default: formatDefault(u.def),
        description: `${u.description ?? ''}${secret}`.replace(/\|/g, '\\|').replace(/\n/g, ' '),
      });
      visit(u.inner, full);
    }
  };
  const visit = (s: ZodTypeAny, path: string) => {
    if (s instanceof z.ZodObject) visitObject(s as z.ZodObject<z.ZodRawShape>, path);
    else if (s instanceof z.ZodArray) visit(unwrap(s.element as ZodTypeAny).inner, `${path}[]`);
    else if (s instanceof z.ZodRecord) visit(unwrap(s.valueSchema as ZodTypeAny).inner, `${path}.<name>`);
    else if (s instanceof z.ZodDiscriminatedUnion) {
      for (const option of (s as z.ZodDiscriminatedUnion<string, z.ZodObject<z.ZodRawShape>[]>).options) {
        const tag = option.shape[(s as z.ZodDiscriminatedUnion<string, z.ZodObject<z.ZodRawShape>[]>).discriminator] as ZodTypeAny | undefined;
        const tagValue = tag instanceof z.ZodLiteral ? String(tag.value) : '?';
        visitObject(option, `${path}{type=${tagValue}}`);
      }
    } else if (s instanceof z.ZodUnion) {
      for (const option of s.options as ZodTypeAny[]) {
        const u = unwrap(option).inner;
        if (u instanceof z.ZodObject) visitObject(u as z.ZodObject<z.ZodRawShape>, path);
      }
    }
  };
  visit(inner, prefix);
  // The same key can come from two union branches: keep the first.
  const seen = new Set<string>();
  return rows.filter((r) => (seen.has(r.key) ? false : (seen.add(r.key), true)));
}

export function referenceMarkdown(sections: ReadonlyArray<{ title: string; file: string; schema: ZodTypeAny; intro?: string }>): string {
  const out: string[] = [
    '# Configuration reference',
    '',
    'Generated from the zod schemas by `npm run config:reference`; a test fails when this file is stale.',
    'Unknown keys are rejected. Strings may use `${ENV_VAR}` or `${ENV_VAR:-default}`; durations are `500ms`, `15s`, `5m`, `2h`, `1d`, `1w`.',
    '',
  ];
  for (const section of sections) {
    out.push(`## ${section.title} (\`${section.file}\`)`, '');
    if (section.schema.description) out.push(section.schema.description, '');
    if (section.intro) out.push(section.intro, '');
    out.push('| key | type | default | description |', '| --- | --- | --- | --- |');
    for (const r of referenceRows(section.schema)) out.push(`| \`${r.key}\` | ${r.type} | ${r.default === '' ? '' : `\`${r.default}\``} | ${r.description} |`);
    out.push('');
  }
  return out.join('\n');
}
