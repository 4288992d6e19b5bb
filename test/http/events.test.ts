// GET /admin/events in every mode, and the relay delivering what the outbox holds to the stream in production mode.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectRedis, redisReady } from '../../src/adapters/redis/redis.js'
import type { NewOutboxEvent } from '../../src/modules/outbox/outbox.js'
import { randomId } from '../../src/shared/ids.js'
import { APP_BACKENDS, buildTestApp, type TestApp } from '../support/app.js'
import { readStream } from '../support/redis-stream.js'
import { waitUntil } from '../support/ports.js'

const event = (n: number): NewOutboxEvent =>
  ({ type: 'points.charged', showId: null, occurredAt: Date.parse('2026-12-01T10:00:00.000Z') + n, data: { userId: `u${n}`, amount: n * 100, balance: n * 100 } })

describe.each(APP_BACKENDS)('events out on %s', (backend) => {
  let t: TestApp
  const stream = `events-http-${randomId(6)}`
  beforeAll(async () => { t = await buildTestApp(backend, { EVENTS_STREAM: stream }, { jobs: backend.includes('redis') }) })
  afterAll(async () => { await t?.close() })

  const admin = (): Record<string, string> => t.as('root', 'admin')
  const add = (...events: NewOutboxEvent[]): Promise<void> => t.deps.ports.transact(async tx => { for (const e of events) await tx.outbox.add(e) })
  const page = async (query: string): Promise<{ events: Array<{ id: string, type: string, occurredAt: string, data: Record<string, unknown> }>, nextAfter: string | null }> => {
    const res = await t.req('GET', `/admin/events${query}`, { headers: admin() })
    expect(res.statusCode, res.body).toBe(200)
    return res.json()
  }

  it('pages through every event, oldest first, with nextAfter for the next page', async () => {
    const start = await page('')
    const before = start.events.at(-1)?.id ?? null
    await add(event(1), event(2), event(3))
    await add(event(4), event(5))
    const after = before === null ? '' : `&after=${before}`
    const first = await page(`?limit=2${after}`)
    expect(first.events.map(e => e.data.userId)).toEqual(['u1', 'u2'])
    expect(first.events[0]).toEqual({ id: expect.stringMatching(/^[0-9]+$/), type: 'points.charged', occurredAt: '2026-12-01T10:00:00.001Z', data: { userId: 'u1', amount: 100, balance: 100 } })
    expect(first.nextAfter).toBe(first.events[1].id)
    const second = await page(`?limit=2&after=${first.nextAfter}`)
    expect(second.events.map(e => e.data.userId)).toEqual(['u3', 'u4'])
    const third = await page(`?limit=2&after=${second.nextAfter}`)
    expect(third.events.map(e => e.data.userId)).toEqual(['u5'])
    const empty = await page(`?after=${third.nextAfter}`)
    expect(empty).toEqual({ events: [], nextAfter: third.nextAfter })
  })

  it('gives at most 100 events without a limit, and refuses a limit outside 1–1000 or a malformed after', async () => {
    await add(...Array.from({ length: 120 }, (_, i) => event(100 + i)))
    expect((await page('')).events).toHaveLength(100)
    for (const q of ['?limit=0', '?limit=1001', '?limit=abc', '?after=-1', '?after=x', '?after=01', '?other=1']) {
      const res = await t.req('GET', `/admin/events${q}`, { headers: admin() })
      expect(res.statusCode, q).toBe(400)
      expect(res.json().code).toBe('VALIDATION_FAILED')
    }
  })

  it('is for admins only', async () => {
    expect((await t.req('GET', '/admin/events')).statusCode).toBe(401)
    expect((await t.req('GET', '/admin/events', { headers: t.as('fan') })).json().code).toBe('FORBIDDEN')
  })

  it.runIf(backend.includes('redis'))('relays every committed event to the stream, in order, with the outbox ids', async () => {
    await add(event(900), event(901))
    const all = await page('?limit=1000')
    const ids = all.events.map(e => e.id)
    const redis = connectRedis(t.deps.config.redisUrl!, 'events-check')
    try {
      await redisReady(redis)
      await waitUntil(async () => (await readStream(redis, stream)).length >= ids.length, 10_000, () => 'the relay did not deliver every event')
      const entries = await readStream(redis, stream)
      expect(entries.map(e => e.id)).toEqual(ids)
      expect(entries.at(-1)).toMatchObject({ type: 'points.charged', occurredAt: all.events.at(-1)!.occurredAt, data: all.events.at(-1)!.data })
    } finally {
      redis.disconnect()
    }
  })
})
