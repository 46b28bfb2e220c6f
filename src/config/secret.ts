/**
 * Config values that must come from the environment (passwords, tokens, webhook URLs, signing
 * secrets). A schema marks such a field with `fromEnvironment(schema, 'VAR')`; loading a file then
 * rejects a literal value there (`password: hunter2`, or `${VAR:-hunter2}` with a literal default),
 * naming the key, so a secret never ends up in a file that is copied, committed and read by many.
 */
import { z, type ZodTypeAny } from 'zod';

const marked = new WeakMap<ZodTypeAny, string>();

/**
 * Marks `schema` as a secret read from the environment; `variable` is the name suggested in errors and
 * the reference. Apply it last (after `.describe()`), so the mark is on the schema the parent holds.
 *
 * @example token: fromEnvironment(z.string().min(16).describe('The bearer token.'), 'RADAR_API_TOKEN')
 */
export function fromEnvironment<T extends ZodTypeAny>(schema: T, variable: string): T {
  marked.set(schema, variable);
  return schema;
}

/** Unwraps optional/default/effects layers, returning the first mark met (or null) and the inner schema. */
function peel(schema: ZodTypeAny): { inner: ZodTypeAny; variable: string | null } {
  let s = schema;
  for (;;) {
    const variable = marked.get(s);
    if (variable !== undefined) return { inner: s, variable };
    if (s instanceof z.ZodDefault) s = s._def.innerType as ZodTypeAny;
    else if (s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s.unwrap() as ZodTypeAny;
    else if (s instanceof z.ZodEffects) s = s.innerType() as ZodTypeAny;
    else if (s instanceof z.ZodLazy) s = s.schema as ZodTypeAny;
    else if (s instanceof z.ZodPipeline) s = s._def.in as ZodTypeAny;
    else if (s instanceof z.ZodBranded) s = s.unwrap() as ZodTypeAny;
    else if (s instanceof z.ZodCatch || s instanceof z.ZodReadonly) s = s._def.innerType as ZodTypeAny;
    else return { inner: s, variable: null };
  }
}

/** The environment variable suggested for a marked schema (for the config reference), or null. */
export function environmentVariableOf(schema: ZodTypeAny): string | null {
  return peel(schema).variable;
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Does an object value fit this union branch's literal fields (`type: slack`)? */
function branchFits(option: ZodTypeAny, value: unknown): boolean {
  const { inner } = peel(option);
  if (!(inner instanceof z.ZodObject)) return true;
  if (!isRecord(value)) return false;
  for (const [key, field] of Object.entries(inner.shape as Record<string, ZodTypeAny>)) {
    const f = peel(field).inner;
    if (f instanceof z.ZodLiteral && value[key] !== f.value) return false;
  }
  return true;
}

export interface SecretValue {
  readonly path: ReadonlyArray<string | number>;
  /** The value as written in the file (before `${VAR}` interpolation). */
  readonly value: unknown;
  readonly variable: string;
}

/** Every value of `raw` (the file as written) that sits where `schema` marks a secret. */
export function secretValues(schema: ZodTypeAny, raw: unknown): SecretValue[] {
  const found = new Map<string, SecretValue>();
  const walk = (s: ZodTypeAny, value: unknown, path: Array<string | number>): void => {
    if (value === undefined) return;
    const { inner, variable } = peel(s);
    if (variable !== null) {
      found.set(JSON.stringify(path), { path, value, variable });
      return;
    }
    if (inner instanceof z.ZodObject && isRecord(value)) {
      for (const [key, field] of Object.entries(inner.shape as Record<string, ZodTypeAny>)) walk(field, value[key], [...path, key]);
    } else if (inner instanceof z.ZodArray && Array.isArray(value)) {
      value.forEach((item, i) => walk(inner.element as ZodTypeAny, item, [...path, i]));
    } else if (inner instanceof z.ZodRecord && isRecord(value)) {
      for (const [key, item] of Object.entries(value)) walk(inner.valueSchema as ZodTypeAny, item, [...path, key]);
    } else if (inner instanceof z.ZodUnion || inner instanceof z.ZodDiscriminatedUnion) {
      for (const option of inner.options as ZodTypeAny[]) if (branchFits(option, value)) walk(option, value, path);
    } else if (inner instanceof z.ZodIntersection) {
      walk(inner._def.left as ZodTypeAny, value, path);
      walk(inner._def.right as ZodTypeAny, value, path);
    }
  };
  walk(schema, raw, []);
  return [...found.values()];
}
