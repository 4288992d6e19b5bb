// Use cases: hold seats for an admitted user — the seats they chose, or the best block left — until the hold lapses by itself.

import type { Clock } from '../../shared/clock.js'
import { AppError, ConflictError, NotFoundError, ValidationError } from '../../shared/errors.js'
import type { Transact, TxStores } from '../../shared/transaction.js'
import type { ConcertRepository } from '../concerts/concert-repository.js'
import type { Show, VenueLayout } from '../concerts/concert.js'
import { requireShow } from '../concerts/list-seats.js'
import type { OutboxData } from '../outbox/outbox.js'
import type { PointStore } from '../points/point-store.js'
import type { GateSeats, HoldGate } from './hold-gate.js'
import { orderedSeatNos, type Reservation } from './reservation.js'
import type { StoredSeat } from './reservation-store.js'
import { pickBlock, rowsOf, singleSeatGaps } from './seat-blocks.js'
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

export interface HoldSeatInput { userId: string, concertId: number, date: string, seatNo: number }
export interface HoldSeatsInput { userId: string, concertId: number, date: string, seatNos: readonly number[] }
export interface HoldBestInput { userId: string, concertId: number, date: string, quantity: number, section?: string, grade?: string }

/** How many times a best-available pick that lost its seats to a concurrent hold is made again from fresh state. */
export const BEST_AVAILABLE_ATTEMPTS = 5

const seatUnavailable = (unavailable: readonly number[]): ConflictError =>
  new ConflictError('SEAT_UNAVAILABLE', `seat ${unavailable.join(', ')} is taken`, { unavailable: [...unavailable] })
const holdLimitReached = (max: number): ConflictError =>
  new ConflictError('HOLD_LIMIT_REACHED', `at most ${max} seats can be held at once for one show`)
const singleSeatGap = (gapSeatNos: readonly number[]): ConflictError =>
  new ConflictError('SINGLE_SEAT_GAP', `this selection would leave seat ${gapSeatNos.join(', ')} on its own`, { gapSeatNos: [...gapSeatNos] })

/** Holds one seat for holdTtlMs; SEAT_UNAVAILABLE if anyone else holds or bought it. */
export async function holdSeat (deps: HoldSeatDeps, input: HoldSeatInput): Promise<Reservation> {
  return holdSeats(deps, { userId: input.userId, concertId: input.concertId, date: input.date, seatNos: [input.seatNo] })
}

/**
 * Holds 1..maxHoldsPerUser distinct seats together for holdTtlMs, all or none: SEAT_UNAVAILABLE (with
 * `unavailable`) if anyone else holds or bought one of them, HOLD_LIMIT_REACHED if the user's live holds of
 * the show would pass maxHoldsPerUser seats, SINGLE_SEAT_GAP (with `gapSeatNos`) on a show that forbids
 * leaving a lone free seat beside the selection.
 */
export async function holdSeats (deps: HoldSeatDeps, input: HoldSeatsInput): Promise<Reservation> {
  const seatNos = validSeatNos(input.seatNos, deps.maxHoldsPerUser)
  const { show, layout } = await requireBookableShow(deps, input.concertId, input.date)
  const now = deps.clock.now()
  // Seat numbers and prices never change, so the (cached) layout answers these before any lock.
  // Whether the seats are free, only SQL decides.
  const missing = seatNos.filter(n => !layout.seat(n))
  if (missing.length > 0) throw new AppError('SEAT_NOT_FOUND', `the show on ${input.date} has no seat ${missing.join(', ')}`, { missing })
  await deps.users.ensureUser(input.userId, now) // before the gate: a failure here must not leave marks behind
  const seats: GateSeats = { concertId: show.concertId, showId: show.id, seatNos }
  const entry = await deps.gate.enter(seats, now)
  if (!entry.entered) throw seatUnavailable(entry.held)
  const heldUntil = now + deps.holdTtlMs
  let reservation: Reservation
  try {
    reservation = await deps.transact(tx => holdChosenSeats(tx, { userId: input.userId, show, layout, seatNos, heldUntil, now, max: deps.maxHoldsPerUser }))
  } catch (err) {
    // Whatever went wrong, this attempt's marks go: only a committed hold may shut the gate.
    await deps.gate.abandon(seats, entry.ticket)
    throw err
  }
  await announce(deps, reservation)
  return reservation
}

/**
 * Holds `quantity` adjacent seats of one row, the nearest the stage that are free (within `section` and
 * `grade` when given) and leave no lone seat where a block that leaves none exists; SEAT_UNAVAILABLE when
 * no such block is left. Picks of one show are made one at a time across instances (the show's row lock), so
 * a rush of them never races itself; a pick that loses its seats to a concurrent chosen-seat hold is made
 * again from fresh state.
 */
export async function holdBestAvailable (deps: HoldSeatDeps, input: HoldBestInput): Promise<Reservation> {
  if (!Number.isSafeInteger(input.quantity) || input.quantity < 1 || input.quantity > deps.maxHoldsPerUser) {
    throw new ValidationError('quantity is out of range', [{ path: '/quantity', message: `must be from 1 to ${deps.maxHoldsPerUser} (MAX_HOLDS_PER_USER)` }])
  }
  const { show, layout } = await requireBookableShow(deps, input.concertId, input.date)
  const sections = input.section === undefined ? layout.sections : layout.sections.filter(s => s.section === input.section)
  if (sections.length === 0) throw new NotFoundError('SECTION_NOT_FOUND', `the show on ${input.date} has no section ${input.section ?? ''}`)
  const now = deps.clock.now()
  await deps.users.ensureUser(input.userId, now)
  const pick: BestPick = {
    userId: input.userId, show, layout, now, heldUntil: now + deps.holdTtlMs, max: deps.maxHoldsPerUser, quantity: input.quantity,
    area: { sections }, ...(input.grade === undefined ? {} : { accepts: (n: number) => layout.seat(n)?.grade === input.grade })
  }
  for (let attempt = 1; attempt <= BEST_AVAILABLE_ATTEMPTS; attempt++) {
    try {
      const reservation = await deps.transact(tx => holdBestBlock(tx, pick))
      await announce(deps, reservation)
      return reservation
    } catch (err) {
      if (!(err instanceof LostRace)) throw err
    }
  }
  throw new ConflictError('SEAT_UNAVAILABLE', `no block of ${input.quantity} adjacent seats could be held; try again`)
}

interface ChosenHold { userId: string, show: Show, layout: VenueLayout, seatNos: number[], heldUntil: number, now: number, max: number }

/** The whole chosen-seat hold as one transaction: limit, the gap rule against committed state, the seats, the event out. */
async function holdChosenSeats (tx: TxStores, h: ChosenHold): Promise<Reservation> {
  if (!await tx.reservations.lockUserWithRoomFor(h.userId, h.show.id, h.seatNos.length, h.max, h.now)) throw holdLimitReached(h.max)
  if (h.layout.noSingleSeatGaps) {
    // The rows' seats stay locked until commit, so two holds can never together leave a gap the rule forbids.
    const rows = rowsOf(h.layout, h.seatNos)
    const free = freeOf(await tx.reservations.lockSeats({ showId: h.show.id, seatNos: rows.flatMap(r => r.seatNos) }), h.now)
    const taken = h.seatNos.filter(n => !free.has(n))
    if (taken.length > 0) throw seatUnavailable(taken)
    const gaps = singleSeatGaps(rows, n => free.has(n), new Set(h.seatNos))
    if (gaps.length > 0) throw singleSeatGap(gaps)
  }
  const created = await insertHold(tx, h)
  const seats = { showId: h.show.id, seatNos: h.seatNos }
  // A reservation of an earlier, lapsed hold of a seat stays HELD-with-a-past-time (read as EXPIRED) until
  // the sweeper marks it; nothing counts it as live meanwhile.
  if (await tx.reservations.holdSeats(seats, created.id, h.userId, h.heldUntil, h.now) < h.seatNos.length) {
    throw seatUnavailable(await tx.reservations.seatsNotHeldBy(seats, created.id))
  }
  await tx.outbox.add({ type: 'reservation.held', showId: h.show.id, occurredAt: h.now, data: eventData(created) })
  return created
}

/** A best-available pick whose seats were taken between reading and claiming: rolled back, made again. */
class LostRace extends Error {}

interface BestPick extends Omit<ChosenHold, 'seatNos'> {
  quantity: number
  area: { sections: VenueLayout['sections'] }
  accepts?: (seatNo: number) => boolean
}

/** The whole best-available hold as one transaction: limit, the show's turn, a block from current state, the claim. */
async function holdBestBlock (tx: TxStores, p: BestPick): Promise<Reservation> {
  if (!await tx.reservations.lockUserWithRoomFor(p.userId, p.show.id, p.quantity, p.max, p.now)) throw holdLimitReached(p.max)
  await tx.reservations.lockShow(p.show.id)
  // Read after the show's lock: every earlier pick of this show has committed, so it is not picked again.
  const free = new Set(await tx.reservations.freeSeatNos(p.show.id, p.now))
  const seatNos = pickBlock(p.area, n => free.has(n), { quantity: p.quantity, accepts: p.accepts, noSingleSeatGaps: p.layout.noSingleSeatGaps })
  if (!seatNos) throw new ConflictError('SEAT_UNAVAILABLE', `no block of ${p.quantity} adjacent seats is left`)
  if (p.layout.noSingleSeatGaps) {
    // Chosen-seat holds do not take the show's turn: decide the gap rule against the rows as committed.
    const rows = rowsOf(p.layout, seatNos)
    const now = freeOf(await tx.reservations.lockSeats({ showId: p.show.id, seatNos: rows.flatMap(r => r.seatNos) }), p.now)
    if (!seatNos.every(n => now.has(n)) || singleSeatGaps(rows, n => now.has(n), new Set(seatNos)).length > 0) throw new LostRace()
  }
  const created = await insertHold(tx, { ...p, seatNos })
  if (await tx.reservations.holdSeats({ showId: p.show.id, seatNos }, created.id, p.userId, p.heldUntil, p.now) < seatNos.length) throw new LostRace()
  await tx.outbox.add({ type: 'reservation.held', showId: p.show.id, occurredAt: p.now, data: eventData(created) })
  return created
}

/** The HELD reservation and its seats, at the seats' total price. */
async function insertHold (tx: TxStores, h: ChosenHold): Promise<Reservation> {
  const price = h.seatNos.reduce((sum, n) => sum + (h.layout.seat(n)?.price ?? 0), 0)
  const created = await tx.reservations.insert({
    userId: h.userId, concertId: h.show.concertId, showId: h.show.id, date: h.show.date, seatNos: h.seatNos,
    price, status: 'HELD', heldUntil: h.heldUntil, createdAt: h.now, paidAt: null
  })
  await tx.reservations.addSeats(created.id, { showId: h.show.id, seatNos: h.seatNos })
  return created
}

/** After commit: the gate shuts the seats until the hold lapses, and live seat maps hear of each seat. */
async function announce (deps: Pick<HoldSeatDeps, 'gate' | 'events'>, r: Reservation): Promise<void> {
  await deps.gate.held({ concertId: r.concertId, showId: r.showId, seatNos: r.seatNos }, r.heldUntil)
  for (const seatNo of r.seatNos) deps.events.publish({ showId: r.showId, seatNo, status: 'HELD', heldUntil: r.heldUntil })
}

const freeOf = (seats: StoredSeat[], now: number): Set<number> =>
  new Set(seats.filter(s => s.status === 'AVAILABLE' || (s.status === 'HELD' && (s.heldUntil ?? 0) <= now)).map(s => s.seatNo))

/** What the outbox says about a reservation (docs/API.md, "Events out"). */
export function eventData (r: Reservation, extra: { balance?: number } = {}): OutboxData {
  return { reservationId: String(r.id), userId: r.userId, concertId: String(r.concertId), date: r.date, seatNos: [...r.seatNos], amount: r.price, ...extra }
}

/** The show on that date with its layout, still bookable: SHOW_NOT_FOUND, or SEAT_UNAVAILABLE once it has started. */
async function requireBookableShow (deps: { concerts: ConcertRepository, clock: Clock }, concertId: number, date: string): Promise<{ show: Show, layout: VenueLayout }> {
  const show = await requireShow(deps.concerts, concertId, date)
  if (show.startsAt <= deps.clock.now()) throw new ConflictError('SEAT_UNAVAILABLE', `the show on ${date} has already started`)
  const layout = await deps.concerts.findLayout(show.id)
  if (!layout) throw new NotFoundError('SHOW_NOT_FOUND', `concert ${concertId} has no show on ${date}`)
  return { show, layout }
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
