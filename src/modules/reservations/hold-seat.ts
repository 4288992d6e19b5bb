// Use case: hold a seat for an admitted user until the hold lapses by itself.

import type { Clock } from '../../shared/clock.js'
import { ConflictError, NotFoundError } from '../../shared/errors.js'
import type { Transact } from '../../shared/transaction.js'
import type { ConcertRepository } from '../concerts/concert-repository.js'
import { requireShow } from '../concerts/list-seats.js'
import type { HoldGate } from './hold-gate.js'
import type { Reservation } from './reservation.js'
import type { SeatEvents } from './seat-events.js'
import type { PointStore } from '../points/point-store.js'

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

/** Holds a seat for holdTtlMs; SEAT_UNAVAILABLE if anyone else holds or bought it. */
export async function holdSeat (deps: HoldSeatDeps, input: HoldSeatInput): Promise<Reservation> {
  const show = await requireShow(deps.concerts, input.concertId, input.date)
  const now = deps.clock.now()
  if (show.startsAt <= now) throw new ConflictError('SEAT_UNAVAILABLE', `the show on ${input.date} has already started`)
  const seat = { showId: show.id, seatNo: input.seatNo }
  // Seat numbers and prices never change, so the (cached) catalog answers these before any lock.
  // Whether the seat is free, only SQL decides.
  const known = await deps.concerts.findSeat(show.id, input.seatNo)
  if (!known) throw new NotFoundError('SEAT_NOT_FOUND', `the show on ${input.date} has no seat ${input.seatNo}`)
  await deps.users.ensureUser(input.userId, now) // before the gate: a failure here must not leave it shut
  if (!await deps.gate.tryEnter(seat.showId, seat.seatNo, now)) {
    throw new ConflictError('SEAT_UNAVAILABLE', `seat ${input.seatNo} is taken`)
  }
  const heldUntil = now + deps.holdTtlMs
  let reservation: Reservation
  try {
    reservation = await deps.transact(async (tx) => {
      if (!await tx.reservations.lockUserUnderHoldLimit(input.userId, show.id, deps.maxHoldsPerUser, now)) {
        throw new ConflictError('HOLD_LIMIT_REACHED', `at most ${deps.maxHoldsPerUser} seats can be held at once for one show`)
      }
      const created = await tx.reservations.insert({
        userId: input.userId, concertId: show.concertId, showId: show.id, date: show.date, seatNo: input.seatNo,
        price: known.price, status: 'HELD', heldUntil, createdAt: now, paidAt: null
      })
      // A reservation of an earlier, lapsed hold of this seat stays HELD-with-a-past-time (read as EXPIRED)
      // until the sweeper marks it; nothing counts it as live meanwhile.
      if (!await tx.reservations.holdSeat(seat, created.id, input.userId, heldUntil, now)) {
        throw new ConflictError('SEAT_UNAVAILABLE', `seat ${input.seatNo} is taken`)
      }
      return created
    })
  } catch (err) {
    // Keep the gate shut only while the seat is really taken; any other failure opens it again.
    if (!(err instanceof ConflictError && err.code === 'SEAT_UNAVAILABLE')) await deps.gate.release(seat.showId, seat.seatNo)
    throw err
  }
  await deps.gate.held(seat.showId, seat.seatNo, heldUntil)
  deps.events.publish({ ...seat, status: 'HELD' })
  return reservation
}
