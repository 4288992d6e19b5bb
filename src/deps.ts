// What the HTTP app needs from the composition root: ready use cases, plus the settings and ports the edge itself uses.

import type { Cluster, Redis } from 'ioredis'
import type { Config } from './config.js'
import type { UseCases } from './compose.js'
import type { Clock } from './shared/clock.js'
import type { Transact, TxStores } from './shared/transaction.js'
import type { ConcertRepository } from './modules/concerts/concert-repository.js'
import type { DrawRecords } from './modules/queue/draw-records.js'
import type { EventStream } from './modules/outbox/event-stream.js'
import type { OutboxRelayStore } from './modules/outbox/relay-store.js'
import type { QueueStore } from './modules/queue/queue-store.js'
import type { HoldGate } from './modules/reservations/hold-gate.js'
import type { SeatEvents } from './modules/reservations/seat-events.js'

export interface ReadinessCheck { name: string, check: () => Promise<void> }

/** The adapters the composition root picked, bound to their stores. */
export interface Ports {
  concerts: ConcertRepository
  /** Repositories outside any transaction (reads, idempotency claims). */
  stores: TxStores
  transact: Transact
  queue: QueueStore
  gate: HoldGate
  seatEvents: SeatEvents
  /** The published record of each concert's opening draw. */
  draws: DrawRecords
  /** The outbox relay's lease and undelivered rows. */
  outboxRelay: OutboxRelayStore
  /** Where the relay delivers events; null without Redis (events are then only read through GET /admin/events). */
  eventStream: EventStream | null
  /** This instance's name on the relay lease. */
  instanceId: string
}

export interface AppDeps {
  config: Config
  clock: Clock
  ports: Ports
  useCases: UseCases
  readiness: ReadinessCheck[]
  /** The Redis client for state shared by instances (rate-limit counters); unset in the embedded mode. */
  sharedRedis?: Redis | Cluster
}
