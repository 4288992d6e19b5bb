// Contract of SeatEvents on every backend (in process, one Redis, a Redis Cluster): versions per show, and on Redis the fan-out to every instance.

import { Cluster } from 'ioredis'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createMemorySeatEvents } from '../../src/adapters/memory/seat-events.memory.js'
import { connectRedis, createRedisClient, redisReady, type RedisClient } from '../../src/adapters/redis/redis.js'
import { createRedisSeatEvents } from '../../src/adapters/redis/seat-events.redis.js'
import type { SeatEvent, SeatEvents } from '../../src/modules/reservations/seat-events.js'
import { randomId } from '../../src/shared/ids.js'
import { REDIS_BACKENDS, openTestRedis, type RedisBackend, type TestRedis } from '../support/backends.js'
import { startProxy } from '../support/tcp-proxy.js'

type Instance = SeatEvents & { close (): Promise<void>, pub: RedisClient, sub: RedisClient }

const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

async function waitFor (what: string, check: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!await check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(20)
  }
}

/** In these tests show N belongs to concert 10·N, so keys and channels carry the hash tag {c<10·N>}. */
const concertOf = async (showId: number): Promise<number | null> => showId >= 1000 ? null : showId * 10

function collect (events: SeatEvents, showId: number): { heard: SeatEvent[], stop: () => void } {
  const heard: SeatEvent[] = []
  return { heard, stop: events.subscribe(showId, e => { heard.push(e) }) }
}

type Backend = 'memory' | RedisBackend

describe.each<Backend>(['memory', ...REDIS_BACKENDS])('SeatEvents on %s', (backend) => {
  let testRedis: TestRedis | undefined
  let namespace = ''
  const opened: RedisClient[] = []
  const instances: Instance[] = []

  beforeAll(async () => { if (backend !== 'memory') testRedis = await openTestRedis(backend) })
  beforeEach(() => { namespace = `t-${randomId(6)}:` })
  afterEach(async () => {
    for (const i of instances.splice(0)) await i.close()
    for (const r of opened.splice(0)) r.disconnect()
  })
  afterAll(async () => { await testRedis?.close() })

  async function client (name: string, url: string, ready = true): Promise<RedisClient> {
    const redis = connectRedis(url, name, { shardedSubscribers: backend === 'cluster' })
    opened.push(redis)
    if (ready) await redisReady(redis, 10_000)
    return redis
  }

  /** An "instance": its own publishing and subscribing connections, as each service process has. */
  async function instance (name: string, subUrl = testRedis?.url ?? '', pubUrl = testRedis?.url ?? ''): Promise<Instance> {
    const pub = await client(`${name}-pub`, pubUrl)
    const sub = await client(`${name}-sub`, subUrl)
    const i = { ...createRedisSeatEvents(pub, sub, { concertOf, namespace }), pub, sub }
    instances.push(i)
    return i
  }

  /** One SeatEvents for the tests every backend shares. */
  async function single (): Promise<SeatEvents> {
    return backend === 'memory' ? createMemorySeatEvents() : await instance('solo')
  }

  const dbOf = (url: string): number => Number(new URL(url).pathname.slice(1) || 0)
  const channelOf = (showId: number): string => {
    const db = backend === 'standalone' ? dbOf(testRedis?.url ?? '') : 0
    return `${namespace}${db === 0 ? '' : `db${db}:`}seat-events:{c${showId * 10}}:${showId}`
  }

  /** How many connections listen to a show's channel (sharded channels live on their slot's master). */
  async function listeners (showId: number): Promise<number> {
    const redis = testRedis?.redis
    if (!redis) return 0
    if (redis instanceof Cluster) {
      const counts = await Promise.all(redis.nodes('master').map(async n => Number(((await n.call('PUBSUB', 'SHARDNUMSUB', channelOf(showId))) as [string, number])[1])))
      return counts.reduce((a, b) => a + b, 0)
    }
    return Number(((await redis.pubsub('NUMSUB', channelOf(showId))) as [string, number])[1])
  }

  /** Subscribes and, on Redis, waits until the subscription is live there. */
  async function listening (events: SeatEvents, showId: number, expected = 1): Promise<{ heard: SeatEvent[], stop: () => void }> {
    const c = collect(events, showId)
    if (backend !== 'memory') await waitFor(`${expected} listener(s) of show ${showId}`, async () => await listeners(showId) === expected)
    return c
  }

  it('gives each change of a show the next version of that show, and version() the last one given', async () => {
    const events = await single()
    const one = await listening(events, 1)
    const two = await listening(events, 2)
    expect(await events.version(1)).toBe(0)
    events.publish({ showId: 1, seatNo: 7, status: 'HELD', heldUntil: 5000 })
    events.publish({ showId: 1, seatNo: 7, status: 'SOLD' })
    events.publish({ showId: 2, seatNo: 1, status: 'HELD', heldUntil: 6000 })
    await waitFor('the changes', () => one.heard.length === 2 && two.heard.length === 1)
    expect(one.heard).toEqual([
      { showId: 1, seatNo: 7, status: 'HELD', heldUntil: 5000, version: 1 },
      { showId: 1, seatNo: 7, status: 'SOLD', heldUntil: null, version: 2 }
    ])
    expect(two.heard).toEqual([{ showId: 2, seatNo: 1, status: 'HELD', heldUntil: 6000, version: 1 }])
    expect(await events.version(1)).toBe(2)
    expect(await events.version(2)).toBe(1)
  })

  it('carries heldUntil only with HELD', async () => {
    const events = await single()
    const show = await listening(events, 3)
    events.publish({ showId: 3, seatNo: 1, status: 'AVAILABLE', heldUntil: 5000 })
    events.publish({ showId: 3, seatNo: 2, status: 'HELD' })
    await waitFor('the changes', () => show.heard.length === 2)
    expect(show.heard.map(e => e.heldUntil)).toEqual([null, null])
  })

  it('stops delivering to a listener that unsubscribed, and unsubscribing twice is harmless', async () => {
    const events = await single()
    const first = await listening(events, 4)
    const second = collect(events, 4)
    first.stop()
    first.stop()
    events.publish({ showId: 4, seatNo: 1, status: 'HELD', heldUntil: 1 })
    await waitFor('the remaining listener', () => second.heard.length === 1)
    expect(first.heard).toEqual([])
  })

  it('keeps delivering to the other listeners when one throws, and publishing never throws', async () => {
    const events = await single()
    events.subscribe(5, () => { throw new Error('a broken stream') })
    const good = await listening(events, 5)
    expect(() => { events.publish({ showId: 5, seatNo: 1, status: 'HELD', heldUntil: 1 }) }).not.toThrow()
    await waitFor('the good listener', () => good.heard.length === 1)
  })

  it('settles once its own changes reached its own listeners, so a read after a write sees the write', async () => {
    const events = await single()
    const show = collect(events, 9)
    for (let n = 1; n <= 5; n++) events.publish({ showId: 9, seatNo: n, status: 'SOLD' })
    await events.settled(9)
    expect(show.heard.map(e => e.seatNo)).toEqual([1, 2, 3, 4, 5])
    await events.settled(10) // nothing published: resolves at once
  })

  if (backend === 'memory') return

  it('delivers a change published on one instance to that show\'s listeners on another, with the same version', async () => {
    const [a, b] = [await instance('a'), await instance('b')]
    const own = collect(a, 1)
    const show1 = await listening(b, 1, 2)
    const show2 = await listening(b, 2)
    a.publish({ showId: 1, seatNo: 7, status: 'HELD', heldUntil: 5000 })
    a.publish({ showId: 1, seatNo: 7, status: 'SOLD' })
    await waitFor('the changes to arrive', () => show1.heard.length === 2)
    expect(show1.heard).toEqual([
      { showId: 1, seatNo: 7, status: 'HELD', heldUntil: 5000, version: 1 },
      { showId: 1, seatNo: 7, status: 'SOLD', heldUntil: null, version: 2 }
    ])
    expect(own.heard).toEqual(show1.heard) // at once from the script's answer, and only once
    await sleep(50)
    expect(own.heard).toHaveLength(2)
    expect(show2.heard).toEqual([])
    expect(await b.version(1)).toBe(2)
  })

  it('numbers changes published at once on several instances 1..n, each number heard alike everywhere', async () => {
    const [a, b, c] = [await instance('a'), await instance('b'), await instance('c')]
    const onA = collect(a, 6)
    const onB = collect(b, 6)
    const onC = await listening(c, 6, 3)
    for (let n = 1; n <= 30; n++) [a, b][n % 2].publish({ showId: 6, seatNo: n, status: 'SOLD' })
    await waitFor('every change on every instance', () => onA.heard.length === 30 && onB.heard.length === 30 && onC.heard.length === 30)
    const bySeat = (heard: SeatEvent[]): Array<[number, number]> => heard.map(e => [e.seatNo, e.version] as [number, number]).sort((x, y) => x[0] - y[0])
    expect(onC.heard.map(e => e.version)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1)) // in version order
    expect(new Set(onC.heard.map(e => e.version)).size).toBe(30)
    expect(bySeat(onA.heard)).toEqual(bySeat(onC.heard))
    expect(bySeat(onB.heard)).toEqual(bySeat(onC.heard))
  })

  if (backend === 'standalone') {
    it('keeps apart deployments that share one Redis server on different database numbers (pub/sub ignores them)', async () => {
      const url = testRedis?.url ?? ''
      const otherUrl = url.replace(/\/\d+$/, `/${dbOf(url) === 15 ? 14 : dbOf(url) + 1}`)
      const a = await instance('a')
      const sameDb = await listening(await instance('b'), 1)
      const elsewhere = collect(await instance('other', otherUrl, otherUrl), 1)
      // The other deployment's subscription is live, under whichever name it uses (pub/sub counts are server-wide).
      const names = [...new Set([channelOf(1), channelOf(1).replace(/db\d+:/, `db${dbOf(otherUrl)}:`), channelOf(1).replace(/db\d+:/, '')])]
      const redis = testRedis?.redis as { pubsub: (...args: string[]) => Promise<Array<string | number>> }
      await waitFor('both subscriptions', async () => {
        const counts = await redis.pubsub('NUMSUB', ...names)
        return counts.filter((_, i) => i % 2 === 1).reduce<number>((a, n) => a + Number(n), 0) === 2
      })
      a.publish({ showId: 1, seatNo: 3, status: 'SOLD' })
      await waitFor('the change on the same database', () => sameDb.heard.length === 1)
      await sleep(100)
      expect(elsewhere.heard).toEqual([])
    })
  }

  it('keeps a show\'s version and channel under its concert\'s hash tag', async () => {
    const a = await instance('a')
    a.publish({ showId: 8, seatNo: 1, status: 'HELD', heldUntil: 1 })
    await waitFor('the version', async () => await a.version(8) === 1)
    expect(await testRedis?.redis.get(`${namespace}seat-version:{c80}:8`)).toBe('1')
    expect(await testRedis?.redis.ttl(`${namespace}seat-version:{c80}:8`)).toBeGreaterThan(24 * 3600)
  })

  it('ignores messages on its channels that it did not write', async () => {
    const b = await instance('b')
    const show = await listening(b, 1)
    const send = (message: string): Promise<unknown> => testRedis?.redis instanceof Cluster
      ? testRedis.redis.spublish(channelOf(1), message)
      : (testRedis?.redis as { publish: (c: string, m: string) => Promise<unknown> }).publish(channelOf(1), message)
    const valid = { o: 'x', s: 1, n: 9, t: 'SOLD', h: null, v: 3 }
    for (const junk of ['not json', '{}', JSON.stringify({ ...valid, t: 'STOLEN' }), JSON.stringify({ ...valid, s: 2 }), JSON.stringify({ ...valid, v: 'x' })]) await send(junk)
    await send(JSON.stringify(valid))
    await waitFor('the valid change', () => show.heard.length > 0)
    expect(show.heard).toEqual([{ showId: 1, seatNo: 9, status: 'SOLD', heldUntil: null, version: 3 }])
  })

  it('still tells its own listeners, without throwing, when Redis is unreachable', async () => {
    const pub = createRedisClient('redis://127.0.0.1:1', 'down-pub')
    const sub = createRedisClient('redis://127.0.0.1:1', 'down-sub')
    opened.push(pub, sub)
    const events = createRedisSeatEvents(pub, sub, { concertOf, namespace })
    const local = collect(events, 1)
    expect(() => { events.publish({ showId: 1, seatNo: 1, status: 'HELD', heldUntil: 9 }) }).not.toThrow()
    await waitFor('the local delivery', () => local.heard.length === 1)
    expect(local.heard).toEqual([{ showId: 1, seatNo: 1, status: 'HELD', heldUntil: 9, version: 0 }])
    await expect(events.version(1)).rejects.toThrow()
    local.stop()
    await events.close()
  })

  if (backend !== 'standalone') return

  it('subscribes again by itself when its connection is dropped and comes back', async () => {
    const a = await instance('a')
    const b = await instance('b')
    const id = await (b.sub as { client: (sub: 'ID') => Promise<number> }).client('ID')
    const show = await listening(b, 1)
    await (testRedis?.redis as { client: (...args: string[]) => Promise<unknown> }).client('KILL', 'ID', String(id))
    await waitFor('b to subscribe again', async () => await listeners(1) === 1 && b.sub.status === 'ready')
    a.publish({ showId: 1, seatNo: 5, status: 'HELD', heldUntil: 1 })
    await waitFor('the change after the reconnect', () => show.heard.length === 1)
  })

  it('listens to a show asked for while Redis was down, once Redis is back', async () => {
    const target = new URL(testRedis?.url ?? '')
    let proxy = await startProxy({ host: target.hostname, port: Number(target.port) })
    const a = await instance('a')
    const b = await instance('b', `redis://127.0.0.1:${proxy.port}${target.pathname}`)
    await proxy.stop()
    await waitFor('b to notice the outage', () => b.sub.status !== 'ready')
    const show = collect(b, 1) // SUBSCRIBE fails now
    await sleep(50)
    proxy = await startProxy({ host: target.hostname, port: Number(target.port) }, proxy.port)
    await waitFor('b to subscribe after the outage', async () => await listeners(1) === 1)
    a.publish({ showId: 1, seatNo: 4, status: 'SOLD' })
    await waitFor('the change', () => show.heard.length === 1)
    b.sub.disconnect()
    await proxy.stop()
  })
})

describe('a Redis client from createRedisClient', () => {
  it('re-subscribes to its channels by itself after a reconnect (ioredis autoResubscribe)', async () => {
    const testRedis = await openTestRedis()
    const channel = `raw-${randomId(6)}`
    const sub = createRedisClient(testRedis.url, 'raw-sub')
    try {
      await redisReady(sub)
      const id = await sub.client('ID')
      const heard: string[] = []
      sub.on('message', (_channel: string, message: string) => { heard.push(message) })
      await sub.subscribe(channel)
      await testRedis.redis.client('KILL', 'ID', String(id))
      await waitFor('the reconnect', async () => sub.status === 'ready' && Number(((await testRedis.redis.pubsub('NUMSUB', channel)) as [string, number])[1]) === 1)
      await testRedis.redis.publish(channel, 'after')
      await waitFor('the message', () => heard.length === 1)
    } finally {
      sub.disconnect()
      await testRedis.close()
    }
  })
})
