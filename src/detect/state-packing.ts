/**
 * A detector state's stored form: its arrays of numbers (the seasonal profiles, the seasonal median's
 * past days, the test rings — about 4,000 of the ~4,150 numbers a state holds) packed into one base64
 * buffer, the rest kept as plain JSON. Reading one back is a base64 decode and a copy instead of a JSON
 * parse of ~30 KB of digits, the arrays come back as fresh plain arrays the detector may own (no second
 * copy), and it is about a third smaller. Lossless: each array is stored as the narrowest of bytes,
 * 32-bit integers, decimals (a 32-bit integer over a power of ten: the seasonal median keeps six
 * significant digits) and 64-bit floats that gives every value back bit for bit, so a restored detector
 * continues exactly as the one that was saved. Pure.
 *
 * @example unpackState(packState(state)) // deep-equal to `state`
 */
import type { DetectorState } from './state.js';

/** How an array's values are stored: float64, int32, decimal (int32 / 10^scale), uint8. */
export type PackedKind = 0 | 1 | 2 | 3;
const FLOAT64 = 0;
const INT32 = 1;
const DECIMAL = 2;
const UINT8 = 3;
const SIZE = [8, 4, 4, 1] as const;
/** Exact powers of ten for decimals (literals: no rounding in `**`). */
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9] as const;

/** A packed detector state (`packState`). */
export interface PackedState {
  /** Packing format (1). */
  readonly packed: 1;
  /** The state without its packed arrays (nested objects such as `median` keep their other fields). */
  readonly rest: Record<string, unknown>;
  /** Per packed array, in buffer order: its path in the state ('day', 'median.values'), kind, length, and a decimal's scale (else 0). */
  readonly arrays: ReadonlyArray<readonly [string, PackedKind, number, number]>;
  /** The arrays' values, little-endian, widest kind first (base64). */
  readonly data: string;
}

/** Is this stored state packed (`packState`), rather than a plain JSON `DetectorState` (states saved before packing)? */
export function isPackedState(value: unknown): value is PackedState {
  return typeof value === 'object' && value !== null && (value as { packed?: unknown }).packed === 1;
}

function isNumberArray(value: unknown): value is number[] {
  if (!Array.isArray(value)) return false;
  for (const v of value) if (typeof v !== 'number') return false;
  return true;
}

/** The narrowest exact kind for `values` (and a decimal's scale). */
function kindOf(values: readonly number[]): [PackedKind, number] {
  let bytes = true;
  let ints = true;
  for (const v of values) {
    if ((v | 0) !== v || Object.is(v, -0)) {
      ints = false;
      break;
    }
    if (v < 0 || v > 255) bytes = false;
  }
  if (ints) return [bytes ? UINT8 : INT32, 0];
  for (let scale = 1; scale < POW10.length; scale++) if (isDecimal(values, POW10[scale] as number)) return [DECIMAL, scale];
  return [FLOAT64, 0];
}

/** Does every value come back exactly as round(v × p) / p, a 32-bit integer over p? */
function isDecimal(values: readonly number[], p: number): boolean {
  for (const v of values) {
    const m = Math.round(v * p);
    // −0 has no 32-bit integer: it stays a float.
    if ((m | 0) !== m || Object.is(m, -0) || !Object.is(m / p, v)) return false;
  }
  return true;
}

/** Typed arrays use the platform's byte order; the stored form is little-endian (through a DataView elsewhere). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Packs a state (which it does not change). Arrays holding anything but numbers stay in the JSON part. */
export function packState(state: Readonly<DetectorState>): PackedState {
  const found: Array<{ path: string; kind: PackedKind; scale: number; values: readonly number[] }> = [];
  const strip = (obj: Readonly<Record<string, unknown>>, prefix: string): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) {
      if (isNumberArray(v)) {
        const [kind, scale] = kindOf(v);
        found.push({ path: prefix + k, kind, scale, values: v });
      } else if (typeof v === 'object' && v !== null && !Array.isArray(v)) out[k] = strip(v as Record<string, unknown>, `${prefix}${k}.`);
      else out[k] = v;
    }
    return out;
  };
  const rest = strip(state as unknown as Record<string, unknown>, '');
  // Widest values first: each then sits at a multiple of its size.
  found.sort((a, b) => SIZE[b.kind] - SIZE[a.kind]);
  const arrays = found.map((a) => [a.path, a.kind, a.values.length, a.scale] as const);
  const buffer = new ArrayBuffer(byteSize(arrays));
  const view = new DataView(buffer);
  let offset = 0;
  for (const { kind, scale, values } of found) {
    const stored = kind === DECIMAL ? values.map((v) => Math.round(v * (POW10[scale] as number))) : values;
    if (LITTLE_ENDIAN) {
      const typed = kind === FLOAT64 ? new Float64Array(buffer, offset, values.length) : kind === UINT8 ? new Uint8Array(buffer, offset, values.length) : new Int32Array(buffer, offset, values.length);
      typed.set(stored);
    } else {
      for (let i = 0; i < stored.length; i++) {
        const o = offset + i * SIZE[kind];
        if (kind === FLOAT64) view.setFloat64(o, stored[i] as number, true);
        else if (kind === UINT8) view.setUint8(o, stored[i] as number);
        else view.setInt32(o, stored[i] as number, true);
      }
    }
    offset += values.length * SIZE[kind];
  }
  return { packed: 1, rest, arrays, data: Buffer.from(buffer).toString('base64') };
}

function byteSize(arrays: PackedState['arrays']): number {
  let bytes = 0;
  for (const [, kind, length] of arrays) bytes += length * (SIZE[kind] ?? Number.NaN);
  return bytes;
}

/** The state a `PackedState` holds, as fresh objects and arrays (the caller owns them; `packed` is not changed). Throws on a damaged one. */
export function unpackState(packed: PackedState): DetectorState {
  const state = copyObjects(packed.rest);
  const size = byteSize(packed.arrays);
  if (!Number.isInteger(size)) throw new Error('packed detector state: unknown kind of array');
  const buffer = new ArrayBuffer(size);
  if (Buffer.from(buffer).write(packed.data, 'base64') !== size) throw new Error('packed detector state: data does not match its arrays');
  const view = new DataView(buffer);
  let offset = 0;
  for (const [path, kind, length, scale] of packed.arrays) {
    const values = LITTLE_ENDIAN ? fromTyped(buffer, offset, kind, length, POW10[scale] ?? Number.NaN) : fromView(view, offset, kind, length, POW10[scale] ?? Number.NaN);
    offset += length * SIZE[kind];
    const parts = path.split('.');
    let target = state;
    for (let i = 0; i < parts.length - 1; i++) target = target[parts[i] as string] as Record<string, unknown>;
    target[parts[parts.length - 1] as string] = values;
  }
  return state as unknown as DetectorState;
}

/** One array's values (one loop per kind, each over its own typed array). */
function fromTyped(buffer: ArrayBuffer, offset: number, kind: PackedKind, length: number, scale: number): number[] {
  const values: number[] = [];
  if (kind === FLOAT64) {
    const typed = new Float64Array(buffer, offset, length);
    for (let i = 0; i < length; i++) values.push(typed[i] as number);
  } else if (kind === UINT8) {
    const typed = new Uint8Array(buffer, offset, length);
    for (let i = 0; i < length; i++) values.push(typed[i] as number);
  } else {
    const typed = new Int32Array(buffer, offset, length);
    if (kind === INT32) for (let i = 0; i < length; i++) values.push(typed[i] as number);
    else for (let i = 0; i < length; i++) values.push((typed[i] as number) / scale);
  }
  return values;
}

function fromView(view: DataView, offset: number, kind: PackedKind, length: number, scale: number): number[] {
  const values: number[] = [];
  for (let i = 0, o = offset; i < length; i++, o += SIZE[kind]) {
    if (kind === FLOAT64) values.push(view.getFloat64(o, true));
    else if (kind === INT32) values.push(view.getInt32(o, true));
    else if (kind === DECIMAL) values.push(view.getInt32(o, true) / scale);
    else values.push(view.getUint8(o));
  }
  return values;
}

/** A copy of the JSON part's objects and arrays (small: scalars, and the nested objects the arrays go back into). */
function copyObjects(obj: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    out[k] = typeof v !== 'object' || v === null ? v : Array.isArray(v) ? structuredClone(v) : copyObjects(v as Record<string, unknown>);
  }
  return out;
}
