// Calendar-date helpers (YYYY-MM-DD, UTC).

export const DATE_PATTERN = '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'

const DATE_RE = new RegExp(DATE_PATTERN)

/** True when `s` is a real calendar date written YYYY-MM-DD (2026-02-30 is not). */
export function isCalendarDate (s: string): boolean {
  if (!DATE_RE.test(s)) return false
  return new Date(`${s}T00:00:00.000Z`).toISOString().slice(0, 10) === s
}

export const dateOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10)
