// Contract: migration 0003 on every SQL backend turns seats stored before layouts into sections and rows, and gives old concerts a draw seed.

import { Migrator, type Kysely } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { createSqlConcertRepository } from '../../src/adapters/sql/concerts.sql.js'
import { openDatabase, type SqlDatabase } from '../../src/adapters/sql/database.js'
import { migrationProvider } from '../../src/adapters/sql/migrations/index.js'
import { SQL_BACKENDS, createMysqlDatabase } from '../support/backends.js'
import { T0 } from '../support/factories.js'

describe.each(SQL_BACKENDS)('migration 0003 (venue layout) on %s', (backend) => {
  let database: SqlDatabase | undefined
  let drop: (() => Promise<void>) | undefined
  afterEach(async () => { await database?.close(); await drop?.() })

  /** A database migrated up to 0002 only: the schema before venue layouts. */
  async function openAt0002 (): Promise<SqlDatabase> {
    if (backend === 'mysql') {
      const created = await createMysqlDatabase('venue_migration')
      drop = created.drop
      database = openDatabase(created.url)
    } else {
      database = openDatabase('sqlite::memory:')
    }
    const { error } = await new Migrator({ db: database.db, provider: migrationProvider }).migrateTo('0002_outbox')
    if (error) throw error
    return database
  }

  it('makes each run of consecutive seats of one grade and price a row of the section named after the grade', async () => {
    const db = await openAt0002()
    // Kysely<any>: these are the old table shapes, not today's schema types.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const old = db.db as unknown as Kysely<any>
    await old.insertInto('concerts').values([{ id: 1, title: 'Old', venue: 'Hall', created_at: T0 }, { id: 2, title: 'Older', venue: 'Hall', created_at: T0 }]).execute()
    await old.insertInto('shows').values([
      { id: 1, concert_id: 1, show_date: '2026-12-24', starts_at: T0 },
      { id: 2, concert_id: 2, show_date: '2026-12-25', starts_at: T0 }
    ]).execute()
    const seat = (showId: number, seatNo: number, grade: string, price: number, status = 'AVAILABLE') =>
      ({ show_id: showId, seat_no: seatNo, grade, price, status, held_until: status === 'HELD' ? T0 + 1000 : null, user_id: status === 'AVAILABLE' ? null : 'u1', reservation_id: null })
    const range = (showId: number, from: number, to: number, grade: string, price: number) =>
      Array.from({ length: to - from + 1 }, (_, i) => seat(showId, from + i, grade, price))
    await old.insertInto('seats').values([
      ...range(1, 1, 10, 'VIP', 165_000),
      ...range(1, 11, 30, 'R', 143_000),
      ...range(1, 31, 50, 'S', 121_000),
      ...range(1, 51, 55, 'R', 143_000), // R again after S: a second row of R
      ...range(1, 56, 60, 'R', 99_000), //  same grade, other price: a third row
      ...range(1, 70, 72, 'S', 121_000), // a gap in the numbers: a second row of S
      ...range(2, 1, 3, 'A', 10)
    ]).execute()
    await old.updateTable('seats').set({ status: 'HELD', held_until: T0 + 1000, user_id: 'u1' }).where('show_id', '=', 1).where('seat_no', '=', 12).execute()
    await old.updateTable('seats').set({ status: 'SOLD', user_id: 'u2' }).where('show_id', '=', 1).where('seat_no', '=', 13).execute()

    await db.migrate()

    const concerts = createSqlConcertRepository(db)
    const layout = await concerts.findLayout(1)
    const seatNos = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i)
    expect(layout).toMatchObject({
      showId: 1,
      concertId: 1,
      noSingleSeatGaps: false,
      sections: [
        { section: 'VIP', rows: [{ row: '1', seatNos: seatNos(1, 10) }] },
        { section: 'R', rows: [{ row: '1', seatNos: seatNos(11, 30) }, { row: '2', seatNos: seatNos(51, 55) }, { row: '3', seatNos: seatNos(56, 60) }] },
        { section: 'S', rows: [{ row: '1', seatNos: seatNos(31, 50) }, { row: '2', seatNos: seatNos(70, 72) }] }
      ]
    })
    expect(layout?.seat(58)).toEqual({ seatNo: 58, section: 'R', row: '3', grade: 'R', price: 99_000 })
    expect((await concerts.findLayout(2))?.sections).toEqual([{ section: 'A', rows: [{ row: '1', seatNos: [1, 2, 3] }] }])
    // The seats' states are untouched.
    expect((await concerts.listSeatStates(1)).slice(10, 14).map(s => [s.seatNo, s.status, s.heldUntil])).toEqual([
      [11, 'AVAILABLE', null], [12, 'HELD', T0 + 1000], [13, 'SOLD', null], [14, 'AVAILABLE', null]
    ])
    const [seed1, seed2] = [await concerts.findDrawSeed(1), await concerts.findDrawSeed(2)]
    expect(seed1).toMatch(/^[0-9a-f]{64}$/)
    expect(seed2).toMatch(/^[0-9a-f]{64}$/)
    expect(seed1).not.toBe(seed2)
    expect(await concerts.findConcert(1)).toEqual({ id: 1, title: 'Old', venue: 'Hall', dates: ['2026-12-24'], salesOpenAt: null })
  })

  it('is undone by its down migration, back to the old columns', async () => {
    const db = await openAt0002()
    const migrator = new Migrator({ db: db.db, provider: migrationProvider })
    expect((await migrator.migrateTo('0003_venue_layout')).error).toBeUndefined()
    expect((await migrator.migrateTo('0002_outbox')).error).toBeUndefined()
    const columns = async (table: string): Promise<string[]> =>
      (await db.db.introspection.getTables()).find(t => t.name === table)?.columns.map(c => c.name) ?? []
    expect(await columns('seats')).not.toContain('section')
    expect(await columns('concerts')).not.toContain('draw_seed')
    expect(await columns('shows')).not.toContain('no_single_seat_gaps')
  })
})
