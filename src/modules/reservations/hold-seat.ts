// Use cases: hold seats for an admitted user — the seats they chose, or the best block left — until the hold lapses by itself.

import type { Clock } from '../../shared/clock.js'
import { AppError, ConflictError, NotFoundError, ValidationError } from '../../shared/errors.js'
import type { ConcertRepository } from '../concerts/concert-repository.js'
import type { Show, VenueLayout } from '../concerts/concert.js'
import { requireShow } from '../concerts/list-seats.js'
import type { GateSeats, HoldGate } from './hold-gate.js'
import type { HoldOutcome, HoldStore, HoldTerms, PickedBlock } from './hold-store.js'
import { orderedSeatNos, type Reservation } from './reservation.js'
import { pickBlock, rowsOf, singleSeatGaps } from './seat-blocks.js'
import type { SeatEvents } from './seat-events.js'

export interface HoldSeatDeps {
  concerts: ConcertRepository
  holds: HoldStore
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
  const seats: GateSeats = { concertId: show.concertId, showId: show.id, seatNos }
  const entry = await deps.gate.enter(seats, now)
  if (!entry.entered) throw seatUnavailable(entry.held)
  let outcome: HoldOutcome
  try {
    const selection = new Set(seatNos)
    const rows = layout.noSingleSeatGaps ? rowsOf(layout, seatNos) : []
    outcome = await deps.holds.holdChosen({
      ...termsOf(deps, input.userId, show, now),
      seatNos,
      price: priceOf(layout, seatNos),
      // The rows' seats stay locked until commit, so two holds can never together leave a gap the rule forbids.
      ...(layout.noSingleSeatGaps ? { gapRule: { rowSeatNos: rows.flatMap(r => r.seatNos), gapsLeft: isFree => singleSeatGaps(rows, isFree, selection) } } : {})
    })
    if (!('held' in outcome)) throw refusal(outcome, deps.maxHoldsPerUser)
  } catch (err) {
    // Whatever went wrong, this attempt's marks go: only a committed hold may shut the gate.
    await deps.gate.abandon(seats, entry.ticket)
    throw err
  }
  await announce(deps, outcome.held)
  return outcome.held
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
  const accepts = input.grade === undefined ? undefined : (n: number) => layout.seat(n)?.grade === input.grade
  const wish = { quantity: input.quantity, accepts, noSingleSeatGaps: layout.noSingleSeatGaps }
  const pick = (isFree: (seatNo: number) => boolean): PickedBlock | null => {
    const seatNos = pickBlock({ sections }, isFree, wish)
    if (!seatNos) return null
    // Chosen-seat holds do not take the show's turn: the rows must still be as read when the block is claimed.
    return { seatNos, price: priceOf(layout, seatNos), rowSeatNos: layout.noSingleSeatGaps ? rowsOf(layout, seatNos).flatMap(r => r.seatNos) : [] }
  }
  for (let attempt = 1; attempt <= BEST_AVAILABLE_ATTEMPTS; attempt++) {
    const outcome = await deps.holds.holdBest({ ...termsOf(deps, input.userId, show, deps.clock.now()), quantity: input.quantity, ...(input.section === undefined ? {} : { section: input.section }), pick, sectionOf: n => layout.seat(n)?.section })
    if ('held' in outcome) {
      await announce(deps, outcome.held)
      return outcome.held
    }
    if (outcome.refused === 'NO_BLOCK') throw new ConflictError('SEAT_UNAVAILABLE', `no block of ${input.quantity} adjacent seats is left`)
    if (outcome.refused !== 'LOST_RACE') throw refusal(outcome, deps.maxHoldsPerUser)
  }
  throw new ConflictError('SEAT_UNAVAILABLE', `no block of ${input.quantity} adjacent seats could be held; try again`)
}

const termsOf = (deps: Pick<HoldSeatDeps, 'holdTtlMs' | 'maxHoldsPerUser'>, userId: string, show: Show, now: number): HoldTerms => ({
  userId, concertId: show.concertId, showId: show.id, date: show.date, heldUntil: now + deps.holdTtlMs, now, max: deps.maxHoldsPerUser
})

/** The seats' total price (prices never change once the show exists). */
const priceOf = (layout: VenueLayout, seatNos: readonly number[]): number => seatNos.reduce((sum, n) => sum + (layout.seat(n)?.price ?? 0), 0)

function refusal (outcome: Exclude<HoldOutcome, { held: Reservation }>, max: number): AppError {
  switch (outcome.refused) {
    case 'HOLD_LIMIT_REACHED': return holdLimitReached(max)
    case 'SEAT_UNAVAILABLE': return seatUnavailable(outcome.seatNos)
    case 'SINGLE_SEAT_GAP': return singleSeatGap(outcome.seatNos)
    default: return new ConflictError('SEAT_UNAVAILABLE', 'the seats were taken meanwhile; try again')
  }
}

/** After commit: the gate shuts the seats until the hold lapses, and live seat maps hear of each seat. */
async function announce (deps: Pick<HoldSeatDeps, 'gate' | 'events'>, r: Reservation): Promise<void> {
  // Published first (they do not wait), so the events and the gate's update travel at the same time.
  for (const seatNo of r.seatNos) deps.events.publish({ showId: r.showId, seatNo, status: 'HELD', heldUntil: r.heldUntil })
  await deps.gate.held({ concertId: r.concertId, showId: r.showId, seatNos: r.seatNos }, r.heldUntil)
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
