// Use cases: hold seats for an admitted user — the seats they chose, all or none — until the hold lapses by itself.

import type { Clock } from '../../shared/clock.js'
import { AppError, ConflictError, ValidationError } from '../../shared/errors.js'
import type { Transact, TxStores } from '../../shared/transaction.js'
import type { ConcertRepository } from '../concerts/concert-repository.js'
import type { Show } from '../concerts/concert.js'
import { requireShow } from '../concerts/list-seats.js'
import type { PointStore } from '../points/point-store.js'
import type { GateSeats, HoldGate } from './hold-gate.js'
import { orderedSeatNos, type Reservation } from './reservation.js'
import type { SeatEvents } from './seat-events.js'

export interface HoldSeatDeps {
  concerts: ConcertRepository
  transact: Transact
  users: Pick<PointStore, 'ensureUser'>
  gate: HoldGate
  events: SeatEvents
  clock: Clock
  holdTtlMs: number
  maxHoldsPerUser: number
}

export interface HoldSeatsInput { userId: string, concertId: number, date: string, seatNos: readonly number[] }
export interface HoldSeatInput { userId: string, concertId: number, date: string, seatNo: number }

export const seatUnavailable = (unavailable: readonly number[], detail: string): AppError =>
  new AppError(409, 'SEAT_UNAVAILABLE', detail, unavailable.length > 0 ? { unavailable: [...unavailable] } : {})
const holdLimitReached = (max: number): ConflictError =>
  new ConflictError('HOLD_LIMIT_REACHED', `at most ${max} seats can be held at once for one show`)

/** Holds one seat for holdTtlMs; SEAT_UNAVAILABLE if anyone else holds or bought it. */
export async function holdSeat (deps: HoldSeatDeps, input: HoldSeatInput): Promise<Reservation> {
  return holdSeats(deps, { userId: input.userId, concertId: input.concertId, date: input.date, seatNos: [input.seatNo] })
}

/**
 * Holds 1..maxHoldsPerUser distinct seats together for holdTtlMs, all or none: SEAT_UNAVAILABLE (with
 * `unavailable`) if anyone else holds or bought one of them, HOLD_LIMIT_REACHED if the user's live holds
 * of the show would pass maxHoldsPerUser seats.
 */
export async function holdSeats (deps: HoldSeatDeps, input: HoldSeatsInput): Promise<Reservation> {
  const seatNos = validSeatNos(input.seatNos, deps.maxHoldsPerUser)
  const show = await requireBookableShow(deps, input.concertId, input.date)
  const now = deps.clock.now()
  // Seat numbers and prices never change, so the (cached) catalog answers these before any lock.
  // Whether the seats are free, only SQL decides.
  const known = await Promise.all(seatNos.map(n => deps.concerts.findSeat(show.id, n)))
  const missing = seatNos.filter((_, i) => known[i] === null)
  if (missing.length > 0) throw new AppError(404, 'SEAT_NOT_FOUND', `the show on ${input.date} has no seat ${missing.join(', ')}`, { missing })
  const price = known.reduce((sum, s) => sum + (s?.price ?? 0), 0)
  await deps.users.ensureUser(input.userId, now) // before the gate: a failure here must not leave marks behind
  const seats: GateSeats = { concertId: show.concertId, showId: show.id, seatNos }
  const entry = await deps.gate.enter(seats, now)
  if (!entry.entered) throw seatUnavailable(entry.held, `seat ${entry.held.join(', ')} is taken`)
  const heldUntil = now + deps.holdTtlMs
  let reservation: Reservation
  try {
    reservation = await deps.transact(tx => holdChosenSeats(tx, { userId: input.userId, show, seatNos, price, heldUntil, now, max: deps.maxHoldsPerUser }))
  } catch (err) {
    // Whatever went wrong, this attempt's marks go: only a committed hold may shut the gate.
    await deps.gate.abandon(seats, entry.ticket)
    throw err
  }
  await deps.gate.held(seats, heldUntil)
  for (const seatNo of seatNos) deps.events.publish({ showId: show.id, seatNo, status: 'HELD' })
  return reservation
}

interface ChosenHold { userId: string, show: Show, seatNos: number[], price: number, heldUntil: number, now: number, max: number }

/** The whole hold as one transaction: limit, reservation, its seats, every seat taken or nothing, the event out. */
async function holdChosenSeats (tx: TxStores, h: ChosenHold): Promise<Reservation> {
  const { show, seatNos, now } = h
  if (!await tx.reservations.lockUserWithRoomFor(h.userId, show.id, seatNos.length, h.max, now)) throw holdLimitReached(h.max)
  const created = await tx.reservations.insert({
    userId: h.userId, concertId: show.concertId, showId: show.id, date: show.date, seatNos,
    price: h.price, status: 'HELD', heldUntil: h.heldUntil, createdAt: now, paidAt: null
  })
  const seats = { showId: show.id, seatNos }
  await tx.reservations.addSeats(created.id, seats)
  // A reservation of an earlier, lapsed hold of a seat stays HELD-with-a-past-time (read as EXPIRED) until
  // the sweeper marks it; nothing counts it as live meanwhile.
  if (await tx.reservations.holdSeats(seats, created.id, h.userId, h.heldUntil, now) < seatNos.length) {
    const taken = await tx.reservations.seatsNotHeldBy(seats, created.id)
    throw seatUnavailable(taken, `seat ${taken.join(', ')} is taken`)
  }
  await tx.outbox.add({ type: 'reservation.held', showId: show.id, occurredAt: now, data: eventData(created) })
  return created
}

/** What the outbox says about a reservation (docs/API.md, "Events out"). */
export function eventData (r: Reservation, extra: { balance?: number } = {}): { reservationId: string, userId: string, concertId: string, date: string, seatNos: number[], amount: number, balance?: number } {
  return { reservationId: String(r.id), userId: r.userId, concertId: String(r.concertId), date: r.date, seatNos: [...r.seatNos], amount: r.price, ...extra }
}

/** The show on that date, still bookable: SHOW_NOT_FOUND, or SEAT_UNAVAILABLE once it has started. */
export async function requireBookableShow (deps: { concerts: ConcertRepository, clock: Clock }, concertId: number, date: string): Promise<Show> {
  const show = await requireShow(deps.concerts, concertId, date)
  if (show.startsAt <= deps.clock.now()) throw new ConflictError('SEAT_UNAVAILABLE', `the show on ${date} has already started`)
  return show
}

/** 1..max distinct seat numbers, ascending; VALIDATION_FAILED naming what is wrong otherwise. */
function validSeatNos (seatNos: readonly number[], max: number): number[] {
  const fail = (message: string): never => { throw new ValidationError(`seatNos ${message}`, [{ path: '/seatNos', message }]) }
  if (seatNos.length === 0) fail('must name at least one seat')
  if (seatNos.length > max) fail(`may name at most ${max} seats (MAX_HOLDS_PER_USER)`)
  if (!seatNos.every(n => Number.isSafeInteger(n) && n >= 1)) fail('must be seat numbers (integers ≥ 1)')
  const ordered = orderedSeatNos(seatNos)
  if (ordered.length !== seatNos.length) fail(`must not repeat a seat (${seatNos.filter((n, i) => seatNos.indexOf(n) !== i).join(', ')})`)
  return ordered
}
