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
  await deps.users.ensureUser(input.userId, now) // before the gate: a failure here must not leave it shut
  if (!await deps.gate.tryEnter(seat.showId, seat.seatNo, now)) {
    throw new ConflictError('SEAT_UNAVAILABLE', `seat ${input.seatNo} is taken`)
  }
  const heldUntil = now + deps.holdTtlMs
  let reservation: Reservation
  try {
    reservation = await deps.transact(async (tx) => {
      await tx.reservations.lockUser(input.userId, now)
      if (await tx.reservations.countLiveHolds(input.userId, show.id, now) >= deps.maxHoldsPerUser) {
        throw new ConflictError('HOLD_LIMIT_REACHED', `at most ${deps.maxHoldsPerUser} seats can be held at once for one show`)
      }
      const price = await tx.reservations.holdSeat(seat, input.userId, heldUntil, now)
      if (price === null) {
        if (!await tx.reservations.seatExists(seat)) throw new NotFoundError('SEAT_NOT_FOUND', `the show on ${input.date} has no seat ${input.seatNo}`)
        throw new ConflictError('SEAT_UNAVAILABLE', `seat ${input.seatNo} is taken`)
      }
      await tx.reservations.expireLapsedOnSeat(seat, now)
      const created = await tx.reservations.insert({
        userId: input.userId, concertId: show.concertId, showId: show.id, date: show.date, seatNo: input.seatNo,
        price, status: 'HELD', heldUntil, createdAt: now, paidAt: null
      })
      await tx.reservations.attachToSeat(seat, created.id)
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
