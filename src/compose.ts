// The composition root: picks SQLite or MySQL, and in-process or Redis for the queue, gate and events, then builds
// every use case once with its dependencies, so routes receive ready use cases.

import { hostname } from 'node:os'
import type { Config } from './config.js'
import type { AppDeps, Ports, ReadinessCheck } from './deps.js'
import type { Clock } from './shared/clock.js'
import { systemClock } from './shared/clock.js'
import type { Transact } from './shared/transaction.js'
import type { RedisClient } from './adapters/redis/redis.js'
import { openDatabase, type SqlDatabase } from './adapters/sql/database.js'
import { createSqlConcertRepository } from './adapters/sql/concerts.sql.js'
import { createSqlStores, createSqlTransact } from './adapters/sql/stores.js'
import { createSqlOutboxRelayStore } from './adapters/sql/outbox-relay.sql.js'
import { createMemoryQueueStore } from './adapters/memory/queue.memory.js'
import { createCachedSeatSupply } from './adapters/memory/seat-supply.memory.js'
import { createSqlDrawRecords } from './adapters/sql/draws.sql.js'
import { createSqlQueueJournal } from './adapters/sql/queue-journal.sql.js'
import { createMemorySeatEvents } from './adapters/memory/seat-events.memory.js'
import { createCachedConcertRepository } from './adapters/memory/cached-concerts.js'
import { concertSales } from './modules/concerts/concert-sales.js'
import type { NewConcert } from './modules/concerts/concert.js'
import { createConcert } from './modules/concerts/create-concert.js'
import { listBookableDates } from './modules/concerts/list-dates.js'
import { createLiveSeatMaps } from './modules/concerts/live-seat-maps.js'
import { readSeatMap, readSections, watchSeatMap, type SeatMapChange, type SeatMapInput } from './modules/concerts/read-seat-map.js'
import { runIdempotent, type IdempotencyDeps } from './modules/idempotency/run-idempotent.js'
import type { EventStream } from './modules/outbox/event-stream.js'
import { listEvents } from './modules/outbox/list-events.js'
import { pruneEvents, relayEvents } from './modules/outbox/relay-events.js'
import { payReservation } from './modules/payments/pay-reservation.js'
import { refundReservation } from './modules/payments/refund-reservation.js'
import { chargePoints, getBalance, getPointHistory } from './modules/points/charge-points.js'
import { readDraw } from './modules/queue/draw.js'
import type { QueuePolicy } from './modules/queue/queue.js'
import { createQueueLocal } from './modules/queue/queue-local.js'
import type { QueueTokenClaims } from './modules/queue/queue-token.js'
import {
  admitWaiting, currentTicket, currentTickets, endTurnAfterPurchase, isTokenActive, joinQueue, leaveQueue, requireActive, verifyQueueToken, type WaitingRoomDeps
} from './modules/queue/waiting-room.js'
import { cancelHold } from './modules/reservations/cancel-hold.js'
import { expireHolds } from './modules/reservations/expire-holds.js'
import { describeReservation, getReservation, listUserReservations } from './modules/reservations/get-reservation.js'
import { openGate } from './modules/reservations/hold-gate.js'
import { holdBestAvailable, holdSeat, holdSeats, type HoldBestInput, type HoldSeatInput, type HoldSeatsInput } from './modules/reservations/hold-seat.js'
import type { Reservation } from './modules/reservations/reservation.js'
import { randomId } from './shared/ids.js'

export interface Composed { deps: AppDeps, database: SqlDatabase, close: () => Promise<void> }

/** How long idempotency records are kept: the contract promises at least 24 hours. */
export const IDEMPOTENCY_KEEP_MS = 25 * 3600_000

/**
 * A use case that moves money, runnable with an Idempotency-Key: without a key it runs as is; with one, at most
 * once per (scope, key), replaying the first outcome to every retry.
 */
function withIdempotencyKey<I, T> (
  deps: IdempotencyDeps,
  describe: (input: I) => { scope: string, request: unknown },
  run: (transact: Transact, input: I) => Promise<T>
): (input: I, key?: string) => Promise<T> {
  return (input, key) => key === undefined
    ? run(deps.transact, input)
    : runIdempotent(deps, { ...describe(input), key }, transact => run(transact, input))
}

type Log = (level: 'info' | 'warn', msg: string, err?: Error) => void

/** Every use case of the service, each with its dependencies bound once. */
export function buildUseCases (ports: Ports, config: Config, clock: Clock, log?: Log) {
  const { concerts, stores, transact, queue, gate, seatEvents, draws, outboxRelay, eventStream } = ports
  const seatMaps = createLiveSeatMaps({ concerts, events: seatEvents, log })
  const seatMapDeps = { concerts, seatMaps, clock }
  const room: WaitingRoomDeps = {
    queue,
    concerts,
    seats: createCachedSeatSupply(concerts, { events: seatEvents }),
    draws,
    local: createQueueLocal(config.jwtSecret),
    clock
  }
  const idempotency: IdempotencyDeps = { idempotency: stores.idempotency, transact, clock }
  const readReservations = { reservations: stores.reservations, concerts, clock }
  const view = (r: Reservation) => describeReservation(concerts, r)
  const holdDeps = { concerts, transact, users: stores.points, gate, events: seatEvents, clock, holdTtlMs: config.holdTtlMs, maxHoldsPerUser: config.maxHoldsPerUser }
  const payDeps = {
    transact,
    users: stores.points,
    clock,
    events: seatEvents,
    // Best effort: the payment already stands when the queue store is down.
    onPaid: (r: { concertId: number, userId: string }) => endTurnAfterPurchase(room, r).catch(() => {})
  }
  const chargeDeps = { transact, users: stores.points, clock, maxCharge: config.maxCharge, maxBalance: config.maxBalance }
  const refundDeps = { transact, reservations: stores.reservations, concerts, gate, events: seatEvents, clock, refundCutoffMs: config.refundCutoffMs }
  const pruneDeps = { relay: outboxRelay, clock, retentionMs: config.eventsRetentionMs }
  const relayDeps = (stream: EventStream) => ({
    relay: outboxRelay, stream, clock, holder: ports.instanceId, leaseMs: config.eventsRelayLeaseMs, retentionMs: config.eventsRetentionMs
  })

  return {
    concerts: {
      list: () => concerts.listConcerts(),
      listDates: (input: { concertId?: number, includeSoldOut?: boolean }) => listBookableDates({ concerts, clock }, input),
      seatMap: (input: SeatMapInput) => readSeatMap(seatMapDeps, input),
      sections: (input: { concertId: number, date: string }) => readSections(seatMapDeps, input),
      watchSeats: (input: SeatMapInput, listener: (change: SeatMapChange) => void) => watchSeatMap({ concerts, events: seatEvents }, input, listener),
      create: (input: NewConcert) => createConcert({ concerts, clock }, input),
      sales: (concertId: number) => concertSales({ concerts, clock }, concertId)
    },
    queue: {
      join: (input: { userId: string, concertId: number }) => joinQueue(room, input),
      verify: (token: string | undefined, bearerUserId?: string) => verifyQueueToken(room, token, bearerUserId),
      current: (claims: QueueTokenClaims, token?: string) => currentTicket(room, claims, token),
      currentMany: (concertId: number, tokenIds: string[]) => currentTickets(room, concertId, tokenIds),
      leave: (claims: QueueTokenClaims) => leaveQueue(room, claims),
      requireActive: (token: string | undefined, userId: string, concertId?: number) => requireActive(room, token, userId, concertId),
      /** Whether the token is still ACTIVE (live seat maps end when it is not; one that asks keeps its token busy). */
      isActive: (concertId: number, tokenId: string) => isTokenActive(room, concertId, tokenId),
      draw: (concertId: number) => readDraw(room, concertId)
    },
    reservations: {
      hold: async (input: HoldSeatInput) => view(await holdSeat(holdDeps, input)),
      holdMany: async (input: HoldSeatsInput) => view(await holdSeats(holdDeps, input)),
      holdBest: async (input: HoldBestInput) => view(await holdBestAvailable(holdDeps, input)),
      get: (input: { id: number, userId: string, isAdmin: boolean }) => getReservation(readReservations, input),
      listByUser: (userId: string) => listUserReservations(readReservations, userId),
      cancel: async (input: { userId: string, reservationId: number }) => view(await cancelHold({ transact, gate, events: seatEvents, clock }, input))
    },
    points: {
      charge: withIdempotencyKey(idempotency,
        (input: { userId: string, amount: number }) => ({ scope: `charge:${input.userId}`, request: { amount: input.amount } }),
        (tx, input) => chargePoints({ ...chargeDeps, transact: tx }, input)),
      balance: (userId: string) => getBalance({ points: stores.points }, userId),
      history: (input: { userId: string, limit: number, beforeId?: number }) => getPointHistory({ points: stores.points }, input)
    },
    payments: {
      pay: withIdempotencyKey(idempotency,
        (input: { userId: string, reservationId: number }) => ({ scope: `pay:${input.userId}`, request: { reservationId: input.reservationId } }),
        (tx, input) => payReservation({ ...payDeps, transact: tx }, input)),
      refund: withIdempotencyKey(idempotency,
        (input: { userId: string, isAdmin: boolean, reservationId: number }) => ({ scope: `refund:${input.userId}`, request: { reservationId: input.reservationId } }),
        (tx, input) => refundReservation({ ...refundDeps, transact: tx }, input))
    },
    events: {
      list: (input: { after: number | null, limit: number }) => listEvents({ outbox: stores.outbox }, input)
    },
    jobs: {
      admitWaiting: () => admitWaiting(room),
      expireHolds: () => expireHolds({ reservations: stores.reservations, transact, events: seatEvents, clock }),
      purgeIdempotency: () => stores.idempotency.purge(clock.now() - IDEMPOTENCY_KEEP_MS),
      /** One relay round; null without a stream (nothing to deliver to). */
      relayEvents: eventStream ? () => relayEvents(relayDeps(eventStream)) : null,
      /** Gives the relay lease up so another instance takes over at once (graceful shutdown). */
      releaseRelayLease: () => outboxRelay.releaseLease(ports.instanceId),
      pruneEvents: () => pruneEvents(pruneDeps, { withStream: eventStream !== null })
    }
  }
}

export type UseCases = ReturnType<typeof buildUseCases>

/** Opens and migrates the database and connects the stores the config names. */
export async function compose (config: Config, options: { clock?: Clock, log?: Log } = {}): Promise<Composed> {
  const clock = options.clock ?? systemClock
  const database = openDatabase(config.databaseUrl)
  await database.migrate()
  const policy: QueuePolicy = {
    maxActive: config.queueMaxActive,
    activeTtlMs: config.queueActiveTtlMs,
    heartbeatTimeoutMs: config.queueHeartbeatTimeoutMs,
    idleTimeoutMs: config.queueIdleTimeoutMs,
    admission: config.queueAdmission,
    admitPerTick: config.queueAdmitPerTick,
    tickMs: config.queueTickMs
  }
  const readiness: ReadinessCheck[] = [{ name: database.dialect === 'mysql' ? 'mysql' : 'sqlite', check: () => database.ping() }]
  const closers: Array<() => Promise<void>> = []

  const concerts = createCachedConcertRepository(createSqlConcertRepository(database))
  let queue: Ports['queue']
  let gate = openGate
  let seatEvents: Ports['seatEvents'] = createMemorySeatEvents()
  let sharedRedis: RedisClient | undefined
  let eventStream: EventStream | null = null
  if (config.redisUrl) {
    // Loaded only in production mode: the embedded mode never touches ioredis.
    const { connectRedis, pingRedis, redisReady } = await import('./adapters/redis/redis.js')
    const { createRedisQueueStore } = await import('./adapters/redis/queue.redis.js')
    const { createRedisHoldGate } = await import('./adapters/redis/hold-gate.redis.js')
    const { createRedisSeatEvents } = await import('./adapters/redis/seat-events.redis.js')
    const { createRedisEventStream } = await import('./adapters/redis/event-stream.redis.js')
    const log = options.log
    // redis://… is one server, redis-cluster://… a Cluster: every adapter keeps a script's keys in one slot.
    const redis = connectRedis(config.redisUrl, 'commands', { log })
    const pub = connectRedis(config.redisUrl, 'publish', { log })
    // On a Cluster, seat events use sharded pub/sub: one subscriber connection per master.
    const sub = connectRedis(config.redisUrl, 'subscribe', { log, shardedSubscribers: true })
    // Commands are never queued while disconnected: wait for the first connection (a down Redis only
    // delays the start by a few seconds; the service then runs and answers 503 on queue routes until it is back).
    await Promise.all([redis, pub, sub].map(c => redisReady(c, 5000).catch(() => {})))
    sharedRedis = redis
    queue = createRedisQueueStore(redis, policy)
    gate = createRedisHoldGate(redis, { log })
    // A show's channel carries its concert's hash tag; the (cached) layout names the concert.
    const events = createRedisSeatEvents(pub, sub, { log, concertOf: async showId => (await concerts.findLayout(showId))?.concertId ?? null })
    eventStream = createRedisEventStream(redis, config.eventsStream)
    seatEvents = events
    readiness.push({ name: 'redis', check: () => pingRedis(redis) })
    closers.push(async () => { await events.close(); redis.disconnect(); pub.disconnect(); sub.disconnect() })
  } else if (config.databaseUrl === 'sqlite::memory:') {
    queue = createMemoryQueueStore(policy)
  } else {
    // One instance: the queue lives in process, written through to the database so a restart keeps every place.
    const journal = createSqlQueueJournal(database.db)
    queue = createMemoryQueueStore(policy, { journal, snapshot: await journal.load(), now: clock.now() })
    closers.push(() => journal.close())
  }

  const ports: Ports = {
    concerts,
    stores: createSqlStores(database.db),
    transact: createSqlTransact(database),
    queue,
    gate,
    seatEvents,
    draws: createSqlDrawRecords(database.db),
    outboxRelay: createSqlOutboxRelayStore(database.db),
    eventStream,
    instanceId: `${hostname()}:${process.pid}:${randomId(6)}`
  }
  const deps: AppDeps = { config, clock, ports, useCases: buildUseCases(ports, config, clock, options.log), readiness, sharedRedis }
  return {
    deps,
    database,
    async close () {
      for (const c of closers) await c().catch(() => {})
      await database.close()
    }
  }
}
