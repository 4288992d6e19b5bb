// Contract of the in-process queue's SQL journal on SQLite and MariaDB: a store rebuilt from it keeps every place.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createMemoryQueueStore } from '../../src/adapters/memory/queue.memory.js'
import type { SqlDatabase } from '../../src/adapters/sql/database.js'
import { createSqlQueueJournal, type SqlQueueJournal } from '../../src/adapters/sql/queue-journal.sql.js'
import type { QueuePolicy, RoomTerms } from '../../src/modules/queue/queue.js'
import type { QueueStore } from '../../src/modules/queue/queue-store.js'
import { createManualClock } from '../../src/shared/clock.js'
import { openTestDatabase, SQL_BACKENDS } from '../support/backends.js'

const POLICY: QueuePolicy = {
  maxActive: 2, activeTtlMs: 600_000, heartbeatTimeoutMs: 60_000, idleTimeoutMs: 120_000, admission: 'capacity', admitPerTick: 50, tickMs: 5000
}
const OPEN: RoomTerms = { opensAt: null }

describe.each(SQL_BACKENDS)('queue journal on %s', (backend) => {
  let database: SqlDatabase
  let close: () => Promise<void>
  let clock: ReturnType<typeof createManualClock>
  beforeAll(async () => { ({ database, close } = await openTestDatabase(backend, 'journal')) })
  afterAll(async () => { await close() })
  beforeEach(async () => {
    await database.db.deleteFrom('queue_entries').execute()
    await database.db.deleteFrom('queue_rooms').execute()
    clock = createManualClock()
  })

  /** A store written through to a fresh journal, as a process would start. */
  async function start (policy: Partial<QueuePolicy> = {}): Promise<{ store: QueueStore, journal: SqlQueueJournal }> {
    const journal = createSqlQueueJournal(database.db)
    const store = createMemoryQueueStore({ ...POLICY, ...policy }, { journal, snapshot: await journal.load(), now: clock.now() })
    return { store, journal }
  }

  it('a restarted store has the same waiting order, the same admitted tokens and the same pre-queue, and new joins go to the back', async () => {
    const first = await start()
    const tokens: string[] = []
    for (const u of ['a', 'b', 'c', 'd', 'e']) tokens.push((await first.store.join(1, u, clock.now(), OPEN)).entry.tokenId)
    await first.store.leave(1, tokens[3])
    const pre = (await first.store.join(2, 'p', clock.now(), { opensAt: clock.now() + 3_600_000 })).entry.tokenId
    await first.journal.close()

    clock.advance(50_000)
    const second = await start()
    const entries = await second.store.touchMany(1, tokens, clock.now())
    expect(entries.map(e => e && `${e.userId}:${e.status}:${e.position}`)).toEqual(['a:ACTIVE:0', 'b:ACTIVE:0', 'c:WAITING:1', null, 'e:WAITING:2'])
    expect(entries[0]?.activeUntil).toBe(clock.now() - 50_000 + POLICY.activeTtlMs)
    expect(await second.store.touch(2, pre, clock.now())).toMatchObject({ userId: 'p', status: 'PREQUEUE' })
    // The user's token is the same after the restart, and a newcomer queues behind everyone.
    expect((await second.store.join(1, 'c', clock.now(), OPEN))).toEqual({ created: false, entry: entries[2] })
    expect((await second.store.join(1, 'f', clock.now(), OPEN)).entry).toMatchObject({ status: 'WAITING', position: 3 })
    await second.journal.close()
  })

  it('gives every token a fresh heartbeat and idle allowance after a restart (the process was down, not the fans)', async () => {
    const first = await start({ maxActive: 1 })
    const [a, b] = [(await first.store.join(1, 'a', clock.now(), OPEN)).entry.tokenId, (await first.store.join(1, 'b', clock.now(), OPEN)).entry.tokenId]
    await first.journal.close()
    clock.advance(POLICY.heartbeatTimeoutMs + 30_000) // longer than b could go without polling
    const second = await start({ maxActive: 1 })
    await second.store.admit(1, clock.now(), OPEN, false)
    expect((await second.store.touchMany(1, [a, b], clock.now())).map(e => e?.status)).toEqual(['ACTIVE', 'WAITING'])
    await second.journal.close()
  })

  it('keeps the draw: the drawn order ahead of later arrivals, their flags and the record', async () => {
    const opensAt = clock.now() + 1000
    const first = await start({ maxActive: 0 })
    const early = [(await first.store.join(1, 'x', clock.now(), { opensAt })).entry.tokenId, (await first.store.join(1, 'y', clock.now(), { opensAt })).entry.tokenId]
    clock.set(opensAt)
    expect(await first.store.draw(1, clock.now(), [early[1], early[0]])).toBe('drawn')
    const late = (await first.store.join(1, 'z', clock.now(), { opensAt })).entry.tokenId
    await first.journal.close()

    const second = await start({ maxActive: 0 })
    const entries = await second.store.touchMany(1, [early[1], early[0], late], clock.now())
    expect(entries.map(e => e && [e.position, e.drawn])).toEqual([[1, true], [2, true], [3, false]])
    expect(await second.store.drawRecord(1)).toEqual({ drawnAt: opensAt, order: [early[1], early[0]] })
    expect(await second.store.draw(1, clock.now(), [])).toBe('already')
    await second.journal.close()
  })

  it('writes a burst of joins in a few batches and forgets tokens that lapsed', async () => {
    const first = await start({ maxActive: 0 })
    await Promise.all(Array.from({ length: 2000 }, (_, i) => first.store.join(1, `u${i}`, clock.now(), OPEN)))
    await first.journal.flush()
    expect(Number((await database.db.selectFrom('queue_entries').select(eb => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)).toBe(2000)
    clock.advance(POLICY.heartbeatTimeoutMs + 1)
    await first.store.admit(1, clock.now(), OPEN, false)
    await first.journal.close()
    expect(await database.db.selectFrom('queue_entries').selectAll().execute()).toEqual([])
  })
})
