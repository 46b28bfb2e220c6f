/**
 * Time-zone arithmetic with Intl only (pure: no clock, no IO). Local times are wall-clock parts in an
 * IANA zone; conversions handle DST (a local time skipped by a DST jump maps forward).
 */

export interface LocalParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** 0 = Monday … 6 = Sunday. */
  readonly weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Readonly<Record<string, number>> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Wall-clock parts of instant `t` in `timeZone`. */
export function localParts(t: number, timeZone: string): LocalParts {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(t))) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour) % 24,
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS[parts.weekday ?? ''] ?? 0,
  };
}

/** Offset of `timeZone` from UTC at instant `t`, in milliseconds (Moscow: +3 h). */
export function offsetAt(t: number, timeZone: string): number {
  const p = localParts(t, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(t / 1000) * 1000;
}

/** The instant when the wall clock in `timeZone` shows the given local time. */
export function zonedToEpoch(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  timeZone: string,
): number {
  const guess = Date.UTC(year, month - 1, day, hour, minute, second);
  const first = guess - offsetAt(guess, timeZone);
  const second_ = guess - offsetAt(first, timeZone);
  if (second_ === first) return first;
  // Near a transition: prefer the candidate whose local time really is the requested one.
  const back = localParts(second_, timeZone);
  return back.hour === hour && back.minute === minute ? second_ : Math.max(first, second_);
}

/** Days since 1970-01-01 of a local calendar date (for counting shifts in local days). */
export function dayNumber(year: number, month: number, day: number): number {
  return Math.floor(Date.UTC(year, month - 1, day) / 86_400_000);
}

/**
 * Parses `YYYY-MM-DDTHH:MM[:SS]` as local time in `timeZone`, or any ISO 8601 string with `Z` or an
 * offset as that instant. Null when invalid.
 */
export function parseLocalDateTime(text: string, timeZone: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(text.trim());
  if (!m) return null;
  if (m[8] !== undefined) {
    const t = Date.parse(text.trim().replace(' ', 'T'));
    return Number.isNaN(t) ? null : t;
  }
  return zonedToEpoch(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0), timeZone);
}

/** Minutes since local midnight for an `HH:MM` string. */
export function parseTimeOfDay(text: string): number {
  const [h, m] = text.split(':');
  return Number(h) * 60 + Number(m);
}

const DAY_LABELS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** "Thursday 14:00" — local weekday and time of `t`. */
export function formatWeekdayTime(t: number, timeZone: string): string {
  const p = localParts(t, timeZone);
  return `${DAY_LABELS[p.weekday]} ${formatClock(p)}`;
}

/** "14:03" — local time of day. */
export function formatClock(p: Pick<LocalParts, 'hour' | 'minute'>): string {
  return `${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
}

/** "2026-11-26 14:03" — local date and time. */
export function formatLocal(t: number, timeZone: string): string {
  const p = localParts(t, timeZone);
  const d = `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
  return `${d} ${formatClock(p)}`;
}
