// Time behind a port so use cases and tests control it.

export interface Clock {
  /** Milliseconds since the epoch. */
  now (): number
}

export const systemClock: Clock = { now: () => Date.now() }

/** A clock that moves only when told; for tests. */
export function createManualClock (start = Date.parse('2026-12-01T00:00:00.000Z')): Clock & { advance (ms: number): void, set (ms: number): void } {
  let t = start
  return {
    now: () => t,
    advance (ms) { t += ms },
    set (ms) { t = ms }
  }
}

export const iso = (ms: number): string => new Date(ms).toISOString()
