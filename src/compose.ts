// The composition root: picks SQLite or MySQL, and in-process or Redis for the queue, gate and events.

import type { Config } from './config.js'
import type { AppDeps, ReadinessCheck } from './deps.js'
import type { Clock } from './shared/clock.js'
import { systemClock } from './shared/clock.js'
import { openDatabase, type SqlDatabase } from './adapters/sql/database.js'
import { createSqlConcertRepository } from './adapters/sql/concerts.sql.js'
import { createSqlStores, createSqlTransact } from './adapters/sql/stores.js'
import { createMemoryQueueStore } from './adapters/memory/queue.memory.js'
import { createMemorySeatEvents } from './adapters/memory/seat-events.memory.js'
import { createCachedConcertRepository } from './adapters/memory/cached-concerts.js'
import { openGate } from './modules/reservations/hold-gate.js'

export interface Composed { deps: AppDeps, database: SqlDatabase, close: () => Promise<void> }

/** Opens and migrates the database and connects the stores the config names. */
export async function compose (config: Config, options: { clock?: Clock, log?: (level: 'info' | 'warn', msg: string, err?: Error) => void } = {}): Promise<Composed> {
  const clock = options.clock ?? systemClock
  const database = openDatabase(config.databaseUrl)
  await database.migrate()
  const policy = { maxActive: config.queueMaxActive, activeTtlMs: config.queueActiveTtlMs, heartbeatTimeoutMs: config.queueHeartbeatTimeoutMs }
  const readiness: ReadinessCheck[] = [{ name: database.dialect === 'mysql' ? 'mysql' : 'sqlite', check: () => database.ping() }]
  const closers: Array<() => Promise<void>> = []

  let queue = createMemoryQueueStore(policy)
  let gate = openGate
  let seatEvents = createMemorySeatEvents() as AppDeps['seatEvents']
  let sharedRedis: unknown
  if (config.redisUrl) {
    // Loaded only in production mode: the embedded mode never touches ioredis.
    const { createRedisClient, pingRedis, redisReady } = await import('./adapters/redis/redis.js')
    const { createRedisQueueStore } = await import('./adapters/redis/queue.redis.js')
    const { createRedisHoldGate } = await import('./adapters/redis/hold-gate.redis.js')
    const { createRedisSeatEvents } = await import('./adapters/redis/seat-events.redis.js')
    const log = options.log
    const redis = createRedisClient(config.redisUrl, 'commands', { log })
    const pub = createRedisClient(config.redisUrl, 'publish', { log })
    const sub = createRedisClient(config.redisUrl, 'subscribe', { log })
    // Commands are never queued while disconnected: wait for the first connection (a down Redis only
    // delays the start by a few seconds; the service then runs and answers 503 on queue routes until it is back).
    await Promise.all([redis, pub, sub].map(c => redisReady(c, 5000).catch(() => {})))
    sharedRedis = redis
    queue = createRedisQueueStore(redis, policy)
    gate = createRedisHoldGate(redis, { log })
    const events = createRedisSeatEvents(pub, sub, { log })
    seatEvents = events
    readiness.push({ name: 'redis', check: () => pingRedis(redis) })
    closers.push(async () => { await events.close(); redis.disconnect(); pub.disconnect(); sub.disconnect() })
  }

  const deps: AppDeps = {
    config,
    clock,
    concerts: createCachedConcertRepository(createSqlConcertRepository(database), seatEvents),
    stores: createSqlStores(database.db),
    transact: createSqlTransact(database),
    queue,
    gate,
    seatEvents,
    readiness,
    sharedRedis
  }
  return {
    deps,
    database,
    async close () {
      for (const c of closers) await c().catch(() => {})
      await database.close()
    }
  }
}
