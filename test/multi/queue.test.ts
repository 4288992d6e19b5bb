// The waiting room across two real instances (QUEUE_MAX_ACTIVE=3): one FIFO order, one capacity, live admission events.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startCluster, type Cluster } from '../support/cluster.js'
import { admitted, call, demoDates, joinQueue } from '../support/http-client.js'
import type { Instance } from '../support/instances.js'
import { waitUntil } from '../support/ports.js'
import { openEventStream } from '../support/sse-client.js'

let cluster: Cluster
let a: Instance
let b: Instance
let concertId: string
let dates: string[]
const on = (i: number): Instance => (i % 2 === 0 ? a : b)

beforeAll(async () => {
  cluster = await startCluster({ label: 'queue', env: { QUEUE_MAX_ACTIVE: '3' } })
  ;[a, b] = cluster.instances
  ;({ concertId, dates } = await demoDates(a.url))
}, 120_000)

afterAll(async () => { await cluster?.close() })

const users = Array.from({ length: 10 }, (_, i) => `fan-${i}`)
const tokens: string[] = []
const headersOf = (i: number): Record<string, string> => admitted(users[i], tokens[i])

/** Every user's ticket as `STATUS:position` (null once gone), read through `instance`. */
async function places (instance: Instance): Promise<Array<string | null>> {
  return Promise.all(users.map(async (_, i) => {
    const r = await call(instance.url, 'GET', '/queue/tokens/current', { headers: headersOf(i) })
    if (r.status === 410) return null
    expect(r.status, r.text).toBe(200)
    return `${r.body.status as string}:${r.body.position as number}`
  }))
}

const gauge = (text: string, name: string): number => Number(new RegExp(`^${name}\\{concert_id="${concertId}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? NaN)

/**
 * The queue gauges as /metrics of `instance` reports them (read from Redis, so the same on every instance).
 */
async function gauges (instance: Instance): Promise<{ active: number, waiting: number }> {
  const text = (await call(instance.url, 'GET', '/metrics')).text
  return { active: gauge(text, 'concert_queue_active'), waiting: gauge(text, 'concert_queue_waiting') }
}

describe('one waiting room across two instances', () => {
  it('10 users joining one after another through alternating instances: 3 ACTIVE, the rest waiting 1..7 in join order', async () => {
    for (let i = 0; i < users.length; i++) {
      const r = await joinQueue(on(i).url, users[i], concertId)
      expect(r.status, r.text).toBe(201)
      tokens.push(r.body.token as string)
      const got = `${r.body.status as string}:${r.body.position as number}`
      expect(got).toBe(i < 3 ? 'ACTIVE:0' : `WAITING:${i - 2}`)
    }
    const expected = users.map((_, i) => (i < 3 ? 'ACTIVE:0' : `WAITING:${i - 2}`))
    expect(await places(a)).toEqual(expected)
    expect(await places(b)).toEqual(expected)
    // A join again (on the other instance) keeps the place: same token, 200.
    const again = await joinQueue(b.url, users[4], concertId)
    expect(again.status).toBe(200)
    expect(again.body).toMatchObject({ token: tokens[4], status: 'WAITING', position: 2 })
    // Both instances run the admission tick; neither admits beyond the capacity.
    await new Promise(resolve => setTimeout(resolve, 1200))
    expect(await places(a)).toEqual(expected)
    expect(await gauges(a)).toEqual({ active: 3, waiting: 7 })
    expect(await gauges(b)).toEqual({ active: 3, waiting: 7 })
  })

  it('a waiting user is refused the seat map and holds on either instance', async () => {
    for (const instance of [a, b]) {
      const seats = await call(instance.url, 'GET', `/concerts/${dates[0]}/seats`, { headers: headersOf(5) })
      expect(seats.status).toBe(403)
      expect(seats.body.code).toBe('QUEUE_NOT_ADMITTED')
      const hold = await call(instance.url, 'POST', '/reservations', { headers: headersOf(5), body: { date: dates[0], seatNo: 1 } })
      expect(hold.body.code).toBe('QUEUE_NOT_ADMITTED')
    }
  })

  it('a slot given back through instance B admits the earliest waiter, whose stream on instance A says ACTIVE', async () => {
    const stream = await openEventStream(`${a.url}/queue/tokens/current/events`, headersOf(3))
    try {
      expect(stream.status).toBe(200)
      expect((await stream.next(() => true)).data).toMatchObject({ status: 'WAITING', position: 1 })
      const left = await call(b.url, 'DELETE', '/queue/tokens/current', { headers: headersOf(0) })
      expect(left.status).toBe(204)
      const started = Date.now()
      const event = await stream.next(e => (e.data as { status: string }).status === 'ACTIVE', 3000)
      expect(event.data).toMatchObject({ token: tokens[3], status: 'ACTIVE', position: 0 })
      expect(Date.now() - started).toBeLessThan(2000) // the admission tick runs every 500 ms on each instance
    } finally {
      stream.close()
    }
    const expected = [null, 'ACTIVE:0', 'ACTIVE:0', 'ACTIVE:0', ...users.slice(4).map((_, i) => `WAITING:${i + 1}`)]
    expect(await places(a)).toEqual(expected)
    expect(await places(b)).toEqual(expected)
    expect(await gauges(b)).toEqual({ active: 3, waiting: 6 })
  })

  it('a waiter whose stream is open on one instance moves up as those ahead leave through the other', async () => {
    const stream = await openEventStream(`${b.url}/queue/tokens/current/events`, headersOf(9))
    try {
      expect((await stream.next(() => true)).data).toMatchObject({ status: 'WAITING', position: 6 })
      // fan-5 (waiting, position 2) leaves through A: fan-9 moves from 6 to 5.
      expect((await call(a.url, 'DELETE', '/queue/tokens/current', { headers: headersOf(5) })).status).toBe(204)
      expect((await stream.next(e => (e.data as { position: number }).position === 5, 3000)).data).toMatchObject({ status: 'WAITING' })
    } finally {
      stream.close()
    }
    // fan-4 is next after fan-5 left: when a slot frees, it is admitted, not fan-6.
    expect((await call(a.url, 'DELETE', '/queue/tokens/current', { headers: headersOf(1) })).status).toBe(204)
    await waitUntil(async () => (await call(b.url, 'GET', '/queue/tokens/current', { headers: headersOf(4) })).body.status === 'ACTIVE', 3000, () => 'fan-4 was not admitted')
    expect(await places(b)).toEqual([null, null, 'ACTIVE:0', 'ACTIVE:0', 'ACTIVE:0', null, 'WAITING:1', 'WAITING:2', 'WAITING:3', 'WAITING:4'])
  })

  it('one scrape of /metrics reports the users waiting right now', async () => {
    expect(await gauges(a)).toEqual({ active: 3, waiting: 4 })
    expect((await joinQueue(b.url, 'fan-late', concertId)).body).toMatchObject({ status: 'WAITING', position: 5 })
    const text = (await call(a.url, 'GET', '/metrics')).text
    expect({ active: gauge(text, 'concert_queue_active'), waiting: gauge(text, 'concert_queue_waiting') }).toEqual({ active: 3, waiting: 5 })
  })
})
