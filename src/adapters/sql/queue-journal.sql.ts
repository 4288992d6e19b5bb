// The in-process waiting room's journal on SQL: its changes written behind in small batched transactions, read back at start.

import type { Kysely } from 'kysely'
import type { JournalEntry, JournalRoom, QueueJournal, QueueSnapshot } from '../memory/queue.memory.js'
import type { DB } from './schema.js'

export interface SqlQueueJournal extends QueueJournal {
  /** Every token and room as last written. */
  load (): Promise<QueueSnapshot>
  /** Resolves once everything recorded so far is written. */
  flush (): Promise<void>
  /** Writes what is pending and stops. */
  close (): Promise<void>
}

const CHUNK = 400 // rows per statement: 7 parameters each stays far below SQLite's and MySQL's limits

function chunks<T> (xs: T[]): T[][] {
  const out: T[][] = []
  for (let i = 0; i < xs.length; i += CHUNK) out.push(xs.slice(i, i + CHUNK))
  return out
}

/**
 * Changes are buffered (the latest state of a token or room wins) and written by one transaction at a time,
 * started as soon as the previous one ends, so a burst of 10,000 joins costs a few statements, and a join
 * is on disk within milliseconds. A write that fails is kept and tried again with the next batch.
 */
export function createSqlQueueJournal (db: Kysely<DB>, options: { retryAfterMs?: number } = {}): SqlQueueJournal {
  let entries = new Map<string, JournalEntry | null>()
  let rooms = new Map<number, JournalRoom>()
  /** The batch being written; resolves true once written, false if it failed (and was put back). */
  let writing: Promise<boolean> | null = null
  let timer: NodeJS.Timeout | null = null
  let closed = false

  async function write (batchEntries: Map<string, JournalEntry | null>, batchRooms: Map<number, JournalRoom>): Promise<void> {
    await db.transaction().execute(async (tx) => {
      for (const ids of chunks([...batchEntries.keys()])) await tx.deleteFrom('queue_entries').where('token_id', 'in', ids).execute()
      const puts = [...batchEntries.values()].filter((e): e is JournalEntry => e !== null)
      for (const rows of chunks(puts)) {
        await tx.insertInto('queue_entries').values(rows.map(e => ({
          token_id: e.tokenId, concert_id: e.concertId, user_id: e.userId, state: e.state, seq: e.seq, active_until: e.activeUntil, drawn: e.drawn ? 1 : 0
        }))).execute()
      }
      for (const ids of chunks([...batchRooms.keys()])) await tx.deleteFrom('queue_rooms').where('concert_id', 'in', ids).execute()
      for (const rows of chunks([...batchRooms.values()])) {
        await tx.insertInto('queue_rooms').values(rows.map(r => ({
          concert_id: r.concertId, seq: r.seq, drawn_at: r.drawnAt, draw_order: r.drawOrder === null ? null : JSON.stringify(r.drawOrder)
        }))).execute()
      }
    })
  }

  function schedule (delayMs = 0): void {
    if (writing || timer || closed) return
    timer = setTimeout(() => { timer = null; void drain() }, delayMs)
    timer.unref()
  }

  async function drain (): Promise<boolean> {
    if (writing) return writing
    if (entries.size === 0 && rooms.size === 0) return true
    const batchEntries = entries
    const batchRooms = rooms
    entries = new Map()
    rooms = new Map()
    writing = write(batchEntries, batchRooms).then(() => {
      writing = null
      schedule()
      return true
    }, () => {
      // Keep what failed unless a newer change of the same token or room came meanwhile.
      for (const [k, v] of batchEntries) if (!entries.has(k)) entries.set(k, v)
      for (const [k, v] of batchRooms) if (!rooms.has(k)) rooms.set(k, v)
      writing = null
      schedule(options.retryAfterMs ?? 1000)
      return false
    })
    return writing
  }

  return {
    putEntry (entry) { entries.set(entry.tokenId, entry); schedule() },
    dropEntry (tokenId) { entries.set(tokenId, null); schedule() },
    putRoom (room) { rooms.set(room.concertId, room); schedule() },
    async load () {
      const [entryRows, roomRows] = await Promise.all([
        db.selectFrom('queue_entries').selectAll().execute(),
        db.selectFrom('queue_rooms').selectAll().execute()
      ])
      return {
        entries: entryRows.map(r => ({
          tokenId: r.token_id,
          concertId: Number(r.concert_id),
          userId: r.user_id,
          state: r.state as JournalEntry['state'],
          seq: Number(r.seq),
          activeUntil: r.active_until === null ? null : Number(r.active_until),
          drawn: Number(r.drawn) === 1
        })),
        rooms: roomRows.map(r => ({
          concertId: Number(r.concert_id),
          seq: Number(r.seq),
          drawnAt: r.drawn_at === null ? null : Number(r.drawn_at),
          drawOrder: r.draw_order === null ? null : JSON.parse(r.draw_order) as string[]
        }))
      }
    },
    async flush () {
      while (writing || entries.size > 0 || rooms.size > 0) {
        if (!await drain()) return // kept for the retry; do not spin on a failing database
      }
    },
    async close () {
      closed = true
      if (timer) { clearTimeout(timer); timer = null }
      while (writing || entries.size > 0 || rooms.size > 0) {
        if (!await drain()) return
      }
    }
  }
}
