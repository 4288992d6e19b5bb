// Small factories for unit and contract tests: a migrated SQL world, concerts with seats, balances, recorded seat events and gates.

import { randomBytes } from 'node:crypto'
import { createMemorySeatEvents } from '../../src/adapters/memory/seat-events.memory.js'
import { createSqlConcertRepository } from '../../src/adapters/sql/concerts.sql.js'
import type { SqlDatabase } from '../../src/adapters/sql/database.js'
import { createSqlStores, createSqlTransact } from '../../src/adapters/sql/stores.js'
import type { Concert, NewConcert, SeatRange, Show } from '../../src/modules/concerts/concert.js'
import type { ConcertRepository } from '../../src/modules/concerts/concert-repository.js'
import type { GateSeats, HoldGate } from '../../src/modules/reservations/hold-gate.js'
import { holdSeat, holdSeats, type HoldSeatDeps } from '../../src/modules/reservations/hold-seat.js'
import type { Reservation } from '../../src/modules/reservations/reservation.js'
import type { SeatChange, SeatEvents } from '../../src/modules/reservations/seat-events.js'
import { createManualClock } from '../../src/shared/clock.js'
import type { Transact, TxStores } from '../../src/shared/transaction.js'
import { openTestDatabase, type SqlBackend } from './backends.js'

/** createManualClock's default start. */
export const T0 = Date.parse('2026-12-01T00:00:00.000Z')
export const SECOND = 1000
export const MINUTE = 60 * SECOND
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR

/** A user id nobody else in the run uses (the contract suites share one database per file). */
export const newUserId = (label = 'u'): string => `${label}-${randomBytes(5).toString('hex')}`

/** SQL adapters for every SQL port over one fresh database (SQLite in memory by default). */
export interface SqlWorld {
  database: SqlDatabase
  /** The database's URL (a MySQL one can be opened by an outside session). */
  url: string
  concerts: ConcertRepository
  stores: TxStores
  transact: Transact
  close: () => Promise<void>
}

export async function openSqlWorld (backend: SqlBackend = 'sqlite', label = 'world'): Promise<SqlWorld> {
  const { database, url, close } = await openTestDatabase(backend, label)
  return {
    database,
    url,
    concerts: createSqlConcertRepository(database),
    stores: createSqlStores(database.db),
    transact: createSqlTransact(database),
    close
  }
}

export interface ConcertSpec {
  title?: string
  /** Show dates; each starts at 10:00 UTC that day. */
  dates?: string[]
  /** Overrides the single default range (seats 1–`seats` at `price`). */
  ranges?: SeatRange[]
  seats?: number
  price?: number
  /** The shows refuse selections that leave a lone free seat. */
  noSingleSeatGaps?: boolean
}

/** The input of a concert: by default one show on 2026-12-24 with seats 1–10 at 100,000 won. */
export function concertInput (spec: ConcertSpec = {}): NewConcert {
  const ranges = spec.ranges ?? [{ from: 1, to: spec.seats ?? 10, grade: 'R', price: spec.price ?? 100_000 }]
  return {
    title: spec.title ?? 'Test Concert',
    venue: 'Test Hall',
    shows: (spec.dates ?? ['2026-12-24']).map(date => ({ date, startsAt: Date.parse(`${date}T10:00:00.000Z`), seats: ranges, ...(spec.noSingleSeatGaps ? { noSingleSeatGaps: true } : {}) }))
  }
}

/** Creates a concert and returns it with its first show. */
export async function givenConcert (concerts: ConcertRepository, spec: ConcertSpec = {}, now = T0): Promise<{ concert: Concert, show: Show, shows: Show[] }> {
  const { concert, shows } = await concerts.createConcert(concertInput(spec), now)
  return { concert, show: shows[0], shows }
}

/** Gives a user a balance straight through the point store (no limits, no history row). */
export async function givenBalance (world: Pick<SqlWorld, 'stores' | 'transact'>, userId: string, amount: number, now = T0): Promise<void> {
  await world.stores.points.ensureUser(userId, now)
  if (amount > 0 && !await world.transact(tx => tx.points.credit(userId, amount, Number.MAX_SAFE_INTEGER, now))) throw new Error('credit failed')
}

/** Collects every change published for a show (as published: no version), through the port's own subscribe. */
export function recordSeatEvents (events: SeatEvents, showId: number): SeatChange[] {
  const seen: SeatChange[] = []
  events.subscribe(showId, ({ showId, seatNo, status, heldUntil }) => {
    seen.push({ showId, seatNo, status, ...(heldUntil !== null ? { heldUntil } : {}) })
  })
  return seen
}

/**
 * A HoldGate that remembers what it was told, with the Redis gate's rules: a seat is shut from `held` until
 * its hold ends or `release`; an attempt's in-flight marks never refuse anyone and go with `abandon`.
 * `shut` closes a seat by hand (as if another instance's hold had committed).
 */
export interface RecordingGate extends HoldGate {
  calls: string[]
  shut (showId: number, seatNo: number, until: number): void
  isShut (showId: number, seatNo: number, now: number): boolean
  /** Whether an attempt's in-flight mark is still on the seat. */
  inFlight (showId: number, seatNo: number): boolean
}

export function createRecordingGate (): RecordingGate {
  const until = new Map<string, number>()
  const marks = new Map<string, string>()
  const calls: string[] = []
  let tickets = 0
  const k = (showId: number, seatNo: number): string => `${showId}:${seatNo}`
  const isShut = (showId: number, seatNo: number, now: number): boolean => (until.get(k(showId, seatNo)) ?? -Infinity) > now
  const named = (s: GateSeats): string => `${s.showId}:${s.seatNos.join(',')}`
  return {
    calls,
    isShut,
    inFlight: (showId, seatNo) => marks.has(k(showId, seatNo)),
    shut (showId, seatNo, t) { until.set(k(showId, seatNo), t) },
    async enter (seats, now) {
      calls.push(`enter ${named(seats)}`)
      const held = seats.seatNos.filter(n => isShut(seats.showId, n, now))
      if (held.length > 0) return { entered: false, held }
      const ticket = `t${++tickets}`
      for (const n of seats.seatNos) if (!marks.has(k(seats.showId, n))) marks.set(k(seats.showId, n), ticket)
      return { entered: true, ticket }
    },
    async held (seats, heldUntil) {
      calls.push(`held ${named(seats)} ${heldUntil}`)
      for (const n of seats.seatNos) { until.set(k(seats.showId, n), heldUntil); marks.delete(k(seats.showId, n)) }
    },
    async abandon (seats, ticket) {
      calls.push(`abandon ${named(seats)}`)
      for (const n of seats.seatNos) if (marks.get(k(seats.showId, n)) === ticket) marks.delete(k(seats.showId, n))
    },
    async release (seats) {
      calls.push(`release ${named(seats)}`)
      for (const n of seats.seatNos) { until.delete(k(seats.showId, n)); marks.delete(k(seats.showId, n)) }
    }
  }
}

/** Everything the booking use cases need, over SQLite in memory, a manual clock, memory seat events and a recording gate. */
export interface BookingWorld extends SqlWorld {
  clock: ReturnType<typeof createManualClock>
  events: SeatEvents
  gate: RecordingGate
  concert: Concert
  show: Show
  /** Every change published for `show`. */
  published: SeatChange[]
  holdDeps: HoldSeatDeps
  hold: (userId: string, seatNo: number, date?: string) => Promise<Reservation>
  /** The gate's name for some seats of `show`. */
  seats: (...seatNos: number[]) => GateSeats
  /** Holds several seats as one order. */
  holdMany: (userId: string, seatNos: number[], date?: string) => Promise<Reservation>
  /** The seat's visible status now. */
  seatStatus: (seatNo: number, showId?: number) => Promise<string>
}

export async function openBookingWorld (options: { holdTtlMs?: number, maxHoldsPerUser?: number } & ConcertSpec = {}): Promise<BookingWorld> {
  const world = await openSqlWorld('sqlite')
  const clock = createManualClock(T0)
  const events = createMemorySeatEvents()
  const gate = createRecordingGate()
  const { concert, show } = await givenConcert(world.concerts, options, clock.now())
  const holdDeps: HoldSeatDeps = {
    concerts: world.concerts, transact: world.transact, users: world.stores.points, gate, events, clock,
    holdTtlMs: options.holdTtlMs ?? 5 * MINUTE, maxHoldsPerUser: options.maxHoldsPerUser ?? 4
  }
  return {
    ...world,
    clock,
    events,
    gate,
    concert,
    show,
    published: recordSeatEvents(events, show.id),
    holdDeps,
    hold: (userId, seatNo, date = show.date) => holdSeat(holdDeps, { userId, concertId: concert.id, date, seatNo }),
    seats: (...seatNos) => ({ concertId: concert.id, showId: show.id, seatNos }),
    holdMany: (userId, seatNos, date = show.date) => holdSeats(holdDeps, { userId, concertId: concert.id, date, seatNos }),
    async seatStatus (seatNo, showId = show.id) {
      const seat = (await world.concerts.listSeats(showId, clock.now())).find(s => s.seatNo === seatNo)
      if (!seat) throw new Error(`no seat ${seatNo}`)
      return seat.status
    }
  }
}

/**
 * What the hold use case does inside its transaction: the reservation at the seats' total price, its seats,
 * and every seat taken for it — or an error, and the transaction rolls back.
 */
export async function givenHold (world: Pick<SqlWorld, 'concerts' | 'transact'>, show: Show, seatNos: number[], userId: string, heldUntil: number, now = T0): Promise<Reservation> {
  const prices = new Map((await world.concerts.listSeatStates(show.id)).map(s => [s.seatNo, s.price]))
  const price = seatNos.reduce((sum, n) => sum + (prices.get(n) ?? 0), 0)
  return world.transact(async (tx) => {
    const r = await tx.reservations.insert({ userId, concertId: show.concertId, showId: show.id, date: show.date, seatNos, price, status: 'HELD', heldUntil, createdAt: now, paidAt: null })
    await tx.reservations.addSeats(r.id, { showId: show.id, seatNos })
    const got = await tx.reservations.holdSeats({ showId: show.id, seatNos }, r.id, userId, heldUntil, now)
    if (got < seatNos.length) throw new SeatsTaken(seatNos, got)
    return r
  })
}

/** givenHold found some of its seats taken (its transaction rolled back). */
export class SeatsTaken extends Error {
  constructor (seatNos: number[], got: number) { super(`only ${got} of seats ${seatNos.join(', ')} were free`) }
}
