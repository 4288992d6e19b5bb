// Contract: the embedded database's synchronous transactions never mix with a Kysely transaction open on the same connection.

import { afterEach, describe, expect, it } from 'vitest'
import { openDatabase, type SqliteSqlDatabase } from '../../src/adapters/sql/database.js'

describe('synchronous SQLite transactions beside Kysely ones', () => {
  let database: SqliteSqlDatabase | undefined
  afterEach(async () => { await database?.close() })

  const open = async (): Promise<SqliteSqlDatabase> => {
    const d = openDatabase('sqlite::memory:')
    if (d.dialect !== 'sqlite') throw new Error('expected SQLite')
    await d.migrate()
    database = d
    return d
  }
  const names = (d: SqliteSqlDatabase): string[] => (d.sqlite.prepare('SELECT name FROM seed_markers ORDER BY name').all() as Array<{ name: string }>).map(r => r.name)

  it('a synchronous write asked for while a Kysely transaction is open waits for its end, and its rollback does not undo it', async () => {
    const d = await open()
    let release!: () => void
    const released = new Promise<void>((resolve) => { release = resolve })
    let opened!: () => void
    const isOpen = new Promise<void>((resolve) => { opened = resolve })
    const kysely = d.db.transaction().execute(async (tx) => {
      await tx.insertInto('seed_markers').values({ name: 'kysely', created_at: 1 }).execute()
      opened()
      await released
      throw new Error('roll back')
    }).catch((err: Error) => err.message)
    await isOpen
    let wrote = false
    const sync = d.sqlite.transaction(() => { d.sqlite.prepare("INSERT INTO seed_markers (name, created_at) VALUES ('sync', 2)").run(); wrote = true })
    // The Kysely transaction is open between two of its awaits: the synchronous one has not run inside it.
    for (let i = 0; i < 3; i++) await new Promise(resolve => setImmediate(resolve))
    expect(wrote).toBe(false)
    expect(d.sqlite.prepare('SELECT COUNT(*) AS n FROM seed_markers').get()).toEqual({ n: 1 })
    release()
    expect(await kysely).toBe('roll back')
    await sync
    expect(wrote).toBe(true)
    expect(names(d)).toEqual(['sync'])
  })

  it('with no Kysely transaction open it runs at once, and a throw inside rolls back all of it', async () => {
    const d = await open()
    const insert = d.sqlite.prepare('INSERT INTO seed_markers (name, created_at) VALUES (?, ?)')
    await expect(d.sqlite.transaction(() => { insert.run('a', 1); throw new Error('refused') })).rejects.toThrow('refused')
    await d.sqlite.transaction(() => { insert.run('b', 1); insert.run('c', 1) })
    expect(names(d)).toEqual(['b', 'c'])
  })
})
