// Contract of Redis seat events: a change published on one instance reaches listeners on every other one.

import type { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createRedisClient, redisReady } from '../../src/adapters/redis/redis.js'
import { createRedisSeatEvents } from '../../src/adapters/redis/seat-events.redis.js'
import type { SeatChange, SeatEvents } from '../../src/modules/reservations/seat-events.js'
import { randomId } from '../../src/shared/ids.js'
import { openTestRedis } from '../support/backends.js'
import { startProxy } from '../support/tcp-proxy.js'

type Instance = SeatEvents & { close (): Promise<void>, pub: Redis, sub: Redis }

const PREFIX = `seat-events-test-${randomId(6)}:`
const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

async function waitFor (what: string, check: () => Promise<boolean> | boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!await check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(20)
  }
}

let testRedis: { url: string, redis: Redis, close: () => Promise<void> }
const opened: Redis[] = []
const instances: Instance[] = []

async function client (name: string, url = testRedis.url, ready = true): Promise<Redis> {
  const redis = createRedisClient(url, name)
  opened.push(redis)
  if (ready) await redisReady(redis)
  return redis
}

/** An "instance": its own publishing and subscribing connections. */
async function instance (name: string, subUrl = testRedis.url): Promise<Instance> {
  const pub = await client(`${name}-pub`)
  const sub = await client(`${name}-sub`, subUrl)
  const events = createRedisSeatEvents(pub, sub, { prefix: PREFIX })
  const i = { ...events, pub, sub }
  instances.push(i)
  return i
}

const subscribers = async (showId: number): Promise<number> =>
  Number(((await testRedis.redis.pubsub('NUMSUB', `${PREFIX}${showId}`)) as [string, number])[1])

function collect (events: SeatEvents, showId: number): { changes: SeatChange[], stop: () => void } {
  const changes: SeatChange[] = []
  return { changes, stop: events.subscribe(showId, c => { changes.push(c) }) }
}

beforeAll(async () => { testRedis = await openTestRedis() })
beforeEach(async () => { await testRedis.redis.flushdb() })
afterEach(async () => {
  for (const i of instances.splice(0)) await i.close()
  for (const r of opened.splice(0)) r.disconnect()
})
afterAll(async () => { await testRedis.close() })

describe('SeatEvents on redis', () => {
  it('delivers a change published on one instance to listeners of that show on another', async () => {
    const [a, b] = [await instance('a'), await instance('b')]
    const show1 = collect(b, 1)
    const show2 = collect(b, 2)
    await waitFor('b to subscribe', async () => await subscribers(1) === 1 && await subscribers(2) === 1)
    a.publish({ showId: 1, seatNo: 7, status: 'HELD' })
    a.publish({ showId: 1, seatNo: 7, status: 'SOLD' })
    await waitFor('the changes to arrive', () => show1.changes.length === 2)
    expect(show1.changes).toEqual([{ showId: 1, seatNo: 7, status: 'HELD' }, { showId: 1, seatNo: 7, status: 'SOLD' }])
    await sleep(50)
    expect(show2.changes).toEqual([])
  })

  it('tells the publishing instance\'s own listeners exactly once', async () => {
    const [a, b] = [await instance('a'), await instance('b')]
    const own = collect(a, 1)
    const other = collect(b, 1)
    await waitFor('both to subscribe', async () => await subscribers(1) === 2)
    a.publish({ showId: 1, seatNo: 3, status: 'AVAILABLE' })
    expect(own.changes).toEqual([{ showId: 1, seatNo: 3, status: 'AVAILABLE' }]) // at once, not via Redis
    await waitFor('b to hear it', () => other.changes.length === 1)
    await sleep(50)
    expect(own.changes).toHaveLength(1)
  })

  it('subscribes to a show once for many listeners, and stops delivering to one that unsubscribed', async () => {
    const [a, b] = [await instance('a'), await instance('b')]
    const first = collect(b, 1)
    const second = collect(b, 1)
    await waitFor('b to subscribe', async () => await subscribers(1) === 1)
    first.stop()
    first.stop() // twice is harmless
    a.publish({ showId: 1, seatNo: 1, status: 'HELD' })
    await waitFor('the remaining listener to hear it', () => second.changes.length === 1)
    expect(first.changes).toEqual([])
    expect(await subscribers(1)).toBe(1)

    second.stop()
    await waitFor('b to unsubscribe', async () => await subscribers(1) === 0)
    a.publish({ showId: 1, seatNo: 2, status: 'HELD' })
    await sleep(100)
    expect(second.changes).toHaveLength(1)
  })

  it('ignores messages on its channels that it did not write', async () => {
    const b = await instance('b')
    const show = collect(b, 1)
    await waitFor('b to subscribe', async () => await subscribers(1) === 1)
    for (const junk of ['not json', '{}', JSON.stringify({ o: 'x', c: { showId: 1, seatNo: 1, status: 'STOLEN' } }), JSON.stringify({ o: 'x', c: { showId: 2, seatNo: 1, status: 'HELD' } })]) {
      await testRedis.redis.publish(`${PREFIX}1`, junk)
    }
    await testRedis.redis.publish(`${PREFIX}1`, JSON.stringify({ o: 'x', c: { showId: 1, seatNo: 9, status: 'SOLD' } }))
    await waitFor('the valid change', () => show.changes.length > 0)
    expect(show.changes).toEqual([{ showId: 1, seatNo: 9, status: 'SOLD' }])
  })

  it('keeps delivering to the other listeners when one listener throws', async () => {
    const [a, b] = [await instance('a'), await instance('b')]
    b.subscribe(1, () => { throw new Error('a broken stream') })
    const good = collect(b, 1)
    await waitFor('b to subscribe', async () => await subscribers(1) === 1)
    expect(() => a.publish({ showId: 1, seatNo: 1, status: 'HELD' })).not.toThrow()
    await waitFor('the good listener to hear it', () => good.changes.length === 1)
  })

  it('subscribes again by itself when its connection is dropped and comes back', async () => {
    const a = await instance('a')
    const b = await instance('b')
    const id = await b.sub.client('ID')
    const show = collect(b, 1)
    await waitFor('b to subscribe', async () => await subscribers(1) === 1)
    await testRedis.redis.client('KILL', 'ID', String(id))
    await waitFor('b to subscribe again', async () => await subscribers(1) === 1 && b.sub.status === 'ready')
    a.publish({ showId: 1, seatNo: 5, status: 'HELD' })
    await waitFor('the change after the reconnect', () => show.changes.length === 1)
  })

  it('keeps publishing without throwing when Redis is unreachable, and still tells local listeners', async () => {
    const pub = await client('down-pub', 'redis://127.0.0.1:6390', false)
    const sub = await client('down-sub', 'redis://127.0.0.1:6390', false)
    const events = createRedisSeatEvents(pub, sub, { prefix: PREFIX })
    const local = collect(events, 1)
    expect(() => events.publish({ showId: 1, seatNo: 1, status: 'HELD' })).not.toThrow()
    expect(local.changes).toHaveLength(1)
    local.stop()
    await events.close()
  })

  it('listens to a show asked for while Redis was down, once Redis is back', async () => {
    const target = new URL(testRedis.url)
    let proxy = await startProxy({ host: target.hostname, port: Number(target.port) })
    const a = await instance('a')
    const b = await instance('b', `redis://127.0.0.1:${proxy.port}${target.pathname}`)
    await proxy.stop()
    await waitFor('b to notice the outage', () => b.sub.status !== 'ready')
    const show = collect(b, 1) // SUBSCRIBE fails now
    await sleep(50)
    proxy = await startProxy({ host: target.hostname, port: Number(target.port) }, proxy.port)
    await waitFor('b to subscribe after the outage', async () => await subscribers(1) === 1, 5000)
    a.publish({ showId: 1, seatNo: 4, status: 'SOLD' })
    await waitFor('the change', () => show.changes.length === 1)
    b.sub.disconnect()
    await proxy.stop()
  })
})

describe('a Redis client from createRedisClient', () => {
  it('re-subscribes to its channels by itself after a reconnect (ioredis autoResubscribe)', async () => {
    const sub = await client('raw-sub')
    const id = await sub.client('ID')
    const heard: string[] = []
    sub.on('message', (_channel: string, message: string) => { heard.push(message) })
    await sub.subscribe(`${PREFIX}raw`)
    await testRedis.redis.client('KILL', 'ID', String(id))
    await waitFor('the reconnect', async () => sub.status === 'ready' && Number(((await testRedis.redis.pubsub('NUMSUB', `${PREFIX}raw`)) as [string, number])[1]) === 1)
    await testRedis.redis.publish(`${PREFIX}raw`, 'after')
    await waitFor('the message', () => heard.length === 1)
  })
})

