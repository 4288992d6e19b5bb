// The signed-in fan's live holds, known on every page (the banner's countdown) and kept in localStorage,
// so a hold's seat and timer stay on screen through a reload or while the service cannot be reached.

import { api, seatNosOf, serverNow, type Reservation } from './api'
import { session } from './session'

export interface TrackedHold {
  id: string
  concertId: string
  date: string
  seatNos: number[]
  price: number
  heldUntil: string
  /** When the hold began (for the countdown bar), if this browser made it. */
  heldAt?: number
}

const listeners = new Set<() => void>()

function key (): string | null {
  const user = session()?.userId
  return user ? `cr.holds.${user}` : null
}

function readAll (): TrackedHold[] {
  const k = key()
  if (!k) return []
  try {
    const value = JSON.parse(localStorage.getItem(k) ?? '[]') as unknown
    return Array.isArray(value) ? value as TrackedHold[] : []
  } catch {
    return []
  }
}

function writeAll (holds: TrackedHold[]): void {
  const k = key()
  if (!k) return
  if (holds.length === 0) localStorage.removeItem(k)
  else localStorage.setItem(k, JSON.stringify(holds))
  for (const listener of listeners) listener()
}

function fromReservation (r: Reservation, heldAt?: number): TrackedHold {
  return { id: r.id, concertId: r.concertId, date: r.date, seatNos: seatNosOf(r), price: r.price, heldUntil: r.heldUntil, heldAt }
}

/** Every tracked hold, including those whose time just ran out (the banner says they lapsed). */
export function trackedHolds (): TrackedHold[] { return readAll() }

/** Holds whose time has not run out, soonest to lapse first. */
export function liveHolds (): TrackedHold[] {
  const now = serverNow()
  return readAll().filter(h => Date.parse(h.heldUntil) > now).sort((a, b) => Date.parse(a.heldUntil) - Date.parse(b.heldUntil))
}

/** The tracked copy of one hold, live or not (the hold page shows it while the service is unreachable). */
export function trackedHold (id: string): TrackedHold | null {
  return readAll().find(h => h.id === id) ?? null
}

export function trackHold (reservation: Reservation, heldAt?: number): void {
  const others = readAll().filter(h => h.id !== reservation.id)
  const previous = trackedHold(reservation.id)
  writeAll([...others, fromReservation(reservation, heldAt ?? previous?.heldAt)])
}

/** Paid, cancelled or lapsed: no longer shown. */
export function forgetHold (id: string): void {
  if (trackedHold(id)) writeAll(readAll().filter(h => h.id !== id))
}

/** Replaces what we know with the server's list (it is the record; another tab may have paid or cancelled). */
export function syncHolds (reservations: Reservation[]): void {
  const held = reservations.filter(r => r.status === 'HELD' && Date.parse(r.heldUntil) > serverNow())
  const known = new Map(readAll().map(h => [h.id, h]))
  writeAll(held.map(r => fromReservation(r, known.get(r.id)?.heldAt)))
}

/** Asks the server; a failure keeps what we had (an outage must not make a live hold vanish from the screen). */
export async function refreshHolds (): Promise<void> {
  if (!session()) return
  try {
    syncHolds((await api.myReservations()).reservations)
  } catch {
    // keep the tracked copies
  }
}

export function onHoldsChange (listener: () => void): void { listeners.add(listener) }
