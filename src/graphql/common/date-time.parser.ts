/**
 * An RFC 3339 date-time (`2024-01-02T10:00:00Z`, `…T10:00:00.5+05:30`), or undefined. Not `new Date(text)`:
 * that reads "1" as 2001-01-01, "Tuesday 5" as a day in 2001, a date without a zone in the host's own zone,
 * and rolls 30 February over into March. A provider timestamp the gateway cannot read is shown as null,
 * never as a date the provider did not send (docs/providers.md).
 */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

export function parseDateTime(text: string): Date | undefined {
  const m = RFC3339.exec(text.trim());
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  const offsetMinutes = m[8] ? 0 : (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 60 || Number(m[10] ?? 0) > 23 || Number(m[11] ?? 0) > 59) return undefined;
  // A leap second (23:59:60) is the instant after 23:59:59.999, as POSIX time counts it.
  // setUTCFullYear, not Date.UTC: that one reads the years 0–99 as 1900–1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute - offsetMinutes, second, ms);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function daysIn(year: number, month: number): number {
  const last = new Date(0);
  last.setUTCFullYear(year, month, 0);
  return last.getUTCDate();
}
