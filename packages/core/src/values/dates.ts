/** Date and datetime parsing shared by record validation and the filter language. */

const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/;
const dateTime =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** `YYYY-MM-DD` for a real calendar day, else undefined. */
export function normalizeDate(text: string): string | undefined {
  const match = dateOnly.exec(text);
  if (!match) return undefined;
  const [, y, m, d] = match;
  return isCalendarDate(Number(y), Number(m), Number(d)) ? text : undefined;
}

/**
 * ISO 8601 date or datetime (no zone means UTC) → `YYYY-MM-DDTHH:mm:ss.sssZ`, else undefined.
 * One stored format keeps string order equal to time order in every database.
 */
export function normalizeDateTime(text: string): string | undefined {
  const match = dateTime.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', fraction = '', zone = 'Z'] = match;
  if (!isCalendarDate(Number(y), Number(mo), Number(d))) return undefined;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  const millis = (fraction.slice(1) + '000').slice(0, 3);
  const offset = zone === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const time = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}.${millis}${offset}`);
  if (Number.isNaN(time)) return undefined;
  const iso = new Date(time).toISOString();
  // Years outside 0000-9999 serialise with a sign and would break string ordering.
  return iso.length === 24 ? iso : undefined;
}

export function nowIso(): string {
  return new Date().toISOString();
}
