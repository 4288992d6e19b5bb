// The outbox's cost (issue 13): payments while the relay is held off (the bench takes its lease), then the relay let
// go on the backlog — how fast it delivers to the Redis Stream and what that costs the service per event.

import { createConnection } from 'mysql2/promise'
import { Redis } from 'ioredis'

/** The stream the relay appends to: the service's default EVENTS_STREAM (the bench does not set it). */
export const EVENTS_STREAM = 'concert:events'
const HOLDER = 'bench: relay held off'

async function withMysql<T> (url: string, fn: (q: (sql: string, args?: unknown[]) => Promise<Array<Record<string, unknown>>>) => Promise<T>): Promise<T> {
  const conn = await createConnection({ uri: url })
  try {
    return await fn(async (sql, args) => { const [rows] = await conn.query(sql, args); return rows as Array<Record<string, unknown>> })
  } finally { await conn.end() }
}

/**
 * Takes the relay's lease for the bench (a holder no instance is, a higher fencing token, ten minutes), so every
 * instance's relay finds it held and delivers nothing; a round already running is fenced off by the token.
 */
export async function holdRelayOff (databaseUrl: string): Promise<void> {
  await withMysql(databaseUrl, q => q(`UPDATE outbox_relay SET holder = ?, token = token + 1, expires_at = ? WHERE name = 'outbox'`, [HOLDER, Date.now() + 600_000]))
}

/** Gives the lease back: the next relay tick of any instance takes it over. */
export async function letRelayGo (databaseUrl: string): Promise<void> {
  await withMysql(databaseUrl, q => q(`UPDATE outbox_relay SET expires_at = 0 WHERE name = 'outbox' AND holder = ?`, [HOLDER]))
}

/** Outbox rows not delivered yet. */
export async function undelivered (databaseUrl: string): Promise<number> {
  return withMysql(databaseUrl, async q => Number((await q('SELECT COUNT(*) AS n FROM outbox WHERE published_at IS NULL'))[0].n))
}

export async function streamLength (redisUrl: string): Promise<number> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true })
  try {
    await redis.connect()
    return await redis.xlen(EVENTS_STREAM)
  } finally { redis.disconnect() }
}

/** Every outbox id found in the stream's entries (their `id` field), read in pages. */
export async function streamIds (redisUrl: string): Promise<Set<string>> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true })
  const ids = new Set<string>()
  try {
    await redis.connect()
    let from = '-'
    for (;;) {
      const page = await redis.xrange(EVENTS_STREAM, from, '+', 'COUNT', 5000)
      for (const [, fields] of page) {
        const i = fields.indexOf('id')
        if (i >= 0 && i % 2 === 0) ids.add(fields[i + 1])
      }
      if (page.length < 5000) return ids
      from = `(${page[page.length - 1][0]}`
    }
  } finally { redis.disconnect() }
}

export interface Drain {
  backlog: number
  /** From letting go to nothing left undelivered (includes up to one relay tick before the first round). */
  ms: number
  /** Events delivered per second from the first delivery seen to the last. */
  eventsPerSec: number | null
  cpuMsPerEvent: number | null
  streamGrowth: number
}

/**
 * Lets the relay go on the backlog the held-off run left and times it until nothing is left undelivered (at most
 * `maxMs`), with the service's CPU time meanwhile: the relay's rate and cost per delivered event.
 */
export async function drainBacklog (o: { databaseUrl: string, redisUrl: string, cpuWindow: () => () => number, maxMs?: number }): Promise<Drain> {
  const backlog = await undelivered(o.databaseUrl)
  const before = await streamLength(o.redisUrl)
  const stop = o.cpuWindow()
  const started = performance.now()
  await letRelayGo(o.databaseUrl)
  const POLL_MS = 20
  let left = backlog
  let firstAt: number | null = null
  while (left > 0 && performance.now() - started < (o.maxMs ?? 30_000)) {
    await new Promise(resolve => setTimeout(resolve, POLL_MS))
    left = await undelivered(o.databaseUrl)
    if (left < backlog && firstAt === null) firstAt = performance.now() - POLL_MS
  }
  const ended = performance.now()
  const cpu = stop()
  const delivered = backlog - left
  return {
    backlog,
    ms: Math.round(ended - started),
    eventsPerSec: delivered > 0 && firstAt !== null ? Math.round(delivered / ((ended - firstAt) / 1000)) : null,
    cpuMsPerEvent: delivered > 0 ? Math.round((cpu / delivered) * 10_000) / 10_000 : null,
    streamGrowth: (await streamLength(o.redisUrl)) - before
  }
}
