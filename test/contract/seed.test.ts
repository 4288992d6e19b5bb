// Contract: the demo concert is loaded once per database, however many instances start on it at once (issue 9, item 3).

import { afterEach, describe, expect, it } from 'vitest'
import { createSqlConcertRepository } from '../../src/adapters/sql/concerts.sql.js'
import { openDatabase, type SqlDatabase } from '../../src/adapters/sql/database.js'
import { createSqlSeedLedger } from '../../src/adapters/sql/seed-ledger.sql.js'
import { seedDemo } from '../../src/seed.js'
import { createManualClock } from '../../src/shared/clock.js'
import { SQL_BACKENDS, openTestDatabase } from '../support/backends.js'

const clock = createManualClock()

/** What one instance seeds with: its own connection pool on the shared database. */
const instanceOn = (database: SqlDatabase) => ({ concerts: createSqlConcertRepository(database), clock, seeds: createSqlSeedLedger(database) })

describe.each(SQL_BACKENDS)('seeding the demo concert on %s', (backend) => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c() })

  async function freshDatabase (): Promise<{ database: SqlDatabase, url: string }> {
    const t = await openTestDatabase(backend, 'seed')
    cleanups.push(t.close)
    return t
  }

  it('a second start on a seeded database loads nothing, whether SEED_DEMO is unset or true', async () => {
    const { database } = await freshDatabase()
    const instance = instanceOn(database)
    expect(await seedDemo(instance, undefined)).toBe(true)
    expect(await seedDemo(instance, undefined)).toBe(false)
    expect(await seedDemo(instance, true)).toBe(false)
    expect(await seedDemo(instance, false)).toBe(false)
    expect(await instance.concerts.countConcerts()).toBe(1)
  })

  it('SEED_DEMO=true loads the demo once even beside other concerts; unset loads it only into an empty database', async () => {
    const { database } = await freshDatabase()
    const instance = instanceOn(database)
    await instance.concerts.createConcert({ title: 'Another', venue: 'Hall', shows: [] }, clock.now())
    expect(await seedDemo(instance, undefined)).toBe(false)
    expect(await seedDemo(instance, true)).toBe(true)
    expect(await seedDemo(instance, true)).toBe(false)
    expect(await instance.concerts.countConcerts()).toBe(2)
  })

  it.runIf(backend === 'mysql')('five instances seeding one empty database at once load the demo concert once', async () => {
    const { url, database } = await freshDatabase()
    const pools = Array.from({ length: 5 }, () => openDatabase(url, { poolSize: 3 }))
    cleanups.push(async () => { await Promise.all(pools.map(p => p.close())) })
    const loaded = await Promise.all(pools.map(pool => seedDemo(instanceOn(pool), undefined)))
    expect(loaded.filter(Boolean)).toHaveLength(1)
    expect(await instanceOn(database).concerts.countConcerts()).toBe(1)
  })
})
