// Contract: the embedded database's write-ahead log is copied back into the database file by a worker thread, not by a request's commit.

import { mkdtempSync, rmSync, statSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openDatabase, type SqlDatabase } from '../../src/adapters/sql/database.js'

describe('SQLite WAL checkpoints', () => {
  let dir: string
  let database: SqlDatabase | undefined
  afterEach(async () => {
    await database?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('a file database is checkpointed by its worker while the writer goes on: the file grows without a commit doing it', async () => {
    dir = mkdtempSync(join(os.tmpdir(), 'checkpointer-'))
    const file = join(dir, 'db.sqlite')
    database = openDatabase(`sqlite:${file}`)
    await database.migrate()
    if (database.dialect !== 'sqlite' || !database.checkpointer) throw new Error('expected a checkpointed SQLite file')
    const { sqlite, checkpointer } = database
    await checkpointer.next()
    const before = statSync(file).size
    // About 2,000 pages: far below the main connection's own autocheckpoint (10,000 pages).
    const insert = sqlite.prepare('INSERT INTO seed_markers (name, created_at) VALUES (?, ?)')
    for (let batch = 0; batch < 20; batch++) {
      await sqlite.transaction(() => { for (let i = 0; i < 400; i++) insert.run(`m-${batch}-${i}-${'x'.repeat(40)}`, i) })
    }
    // Only the worker can have grown the file: these commits stay far below the main connection's threshold.
    await checkpointer.next()
    await checkpointer.next()
    expect(statSync(file).size).toBeGreaterThan(before)
    expect(sqlite.prepare('SELECT COUNT(*) AS n FROM seed_markers').get()).toEqual({ n: 8000 })
  })

  it('an in-memory database has no checkpointer', async () => {
    dir = mkdtempSync(join(os.tmpdir(), 'checkpointer-'))
    database = openDatabase('sqlite::memory:')
    expect(database.dialect === 'sqlite' && database.checkpointer).toBeNull()
  })
})
