// The outbox relay across real processes: one deliverer at a time, an instance SIGKILLed before it published, Redis down while events pile up.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase, type SqlDatabase } from '../../src/adapters/sql/database.js'
import { createSqlTransact } from '../../src/adapters/sql/stores.js'
import { connectRedis, redisReady, type RedisClient } from '../../src/adapters/redis/redis.js'
import type { NewOutboxEvent } from '../../src/modules/outbox/outbox.js'
import { startCluster, type Cluster } from '../support/cluster.js'
import type { Instance } from '../support/instances.js'
import { waitUntil } from '../support/ports.js'
import { startOwnRedis, type OwnRedis } from '../support/redis-server.js'
import { readStream } from '../support/redis-stream.js'

const STREAM = 'concert:events'

let redis: OwnRedis
let cluster: Cluster
let database: SqlDatabase
let reader: RedisClient
let next = 1

beforeAll(async () => {
  redis = await startOwnRedis()
  cluster = await startCluster({ size: 2, redisUrl: redis.url, label: 'outbox', env: { EVENTS_RELAY_LEASE_SECONDS: '1' } })
  database = openDatabase(cluster.databaseUrl, { poolSize: 2 })
  reader = connectRedis(redis.url, 'stream-reader')
  await redisReady(reader)
})
afterAll(async () => {
  reader?.disconnect()
  await database?.close()
  await cluster?.close()
  await redis?.kill()
})

/** Commits `n` events in one transaction, as a use case does, and returns their ids. */
async function commitEvents (n: number, showId = 1): Promise<number[]> {
  const events: NewOutboxEvent[] = Array.from({ length: n }, () =>
    ({ type: 'payment.confirmed', showId, occurredAt: Date.now(), data: { reservationId: String(next++), amount: 1000 } }))
  await createSqlTransact(database)(async tx => { for (const e of events) await tx.outbox.add(e) })
  const rows = await database.db.selectFrom('outbox').select('id').orderBy('id', 'desc').limit(n).execute()
  return rows.map(r => Number(r.id)).reverse()
}

const undelivered = async (ids: number[]): Promise<number> =>
  (await database.db.selectFrom('outbox').select('id').where('id', 'in', ids).where('published_at', 'is', null).execute()).length

async function leaseHolder (): Promise<Instance | undefined> {
  const row = await database.db.selectFrom('outbox_relay').selectAll().executeTakeFirst()
  if (!row?.holder || Number(row.expires_at) <= Date.now()) return undefined
  return cluster.instances.find(i => row.holder!.split(':').at(-2) === String(i.pid))
}

const streamIds = async (): Promise<string[]> => (await readStream(reader, STREAM)).map(e => e.id)

describe('outbox relay across instances', () => {
  it('delivers every committed event exactly once while both instances run the relay', async () => {
    const ids: number[] = []
    for (let i = 0; i < 10; i++) ids.push(...await commitEvents(3, 1 + (i % 2)))
    await waitUntil(async () => await undelivered(ids) === 0, 10_000, () => 'not every event was delivered')
    const seen = await streamIds()
    expect(seen).toEqual(ids.map(String))
  })

  it('loses nothing when the delivering instance is SIGKILLed before it could publish: the other one delivers it all', async () => {
    await waitUntil(async () => (await leaseHolder()) !== undefined, 5000, () => 'no instance took the relay lease')
    const holder = (await leaseHolder())!
    const other = cluster.instances.find(i => i !== holder)!
    // Writes stall in Redis, so the holder reads the new rows but cannot append them; then it dies.
    await reader.call('CLIENT', 'PAUSE', '3000', 'WRITE')
    const ids = await commitEvents(20, 3)
    await new Promise(resolve => setTimeout(resolve, 400))
    await holder.kill()
    expect(await undelivered(ids)).toBe(20)
    await reader.call('CLIENT', 'UNPAUSE')

    await waitUntil(async () => await undelivered(ids) === 0, 15_000, () => `${other.name} did not take over the relay`)
    expect((await leaseHolder())?.name).toBe(other.name)
    const seen = await streamIds()
    for (const id of ids) expect(seen).toContain(String(id))
    // Each id's first entry comes in commit order; any repeat (a batch the dead holder got through) has the same id.
    const first = [...new Set(seen)].filter(id => ids.includes(Number(id)))
    expect(first).toEqual(ids.map(String))
  })

  it('keeps events while Redis is down and delivers them all once it is back, without a restart', async () => {
    await redis.kill()
    const ids = [...await commitEvents(5, 4), ...await commitEvents(5, 5)]
    await new Promise(resolve => setTimeout(resolve, 1000))
    expect(await undelivered(ids)).toBe(10)

    await redis.start() // empty: it keeps nothing on disk
    await redisReady(reader, 10_000)
    await waitUntil(async () => await undelivered(ids) === 0, 15_000, () => 'events that piled up were not delivered')
    expect(await streamIds()).toEqual(ids.map(String))
  })
})
