// Contract of the Redis client factory on one server and on a real Cluster: commands in every slot, one-slot scripts, 503 while down, self-healing.

import { Cluster } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { connectRedis, isRedisUnavailable, pingRedis, redisReady, viaRedis, type RedisClient } from '../../src/adapters/redis/redis.js'
import { ServiceUnavailableError } from '../../src/shared/errors.js'
import { REDIS_BACKENDS, openTestRedis, type TestRedis } from '../support/backends.js'
import { waitUntil } from '../support/ports.js'
import { onRedisPort } from '../support/redis-server.js'
import { acquireSharedRedisCluster, startRedisCluster, type TestRedisCluster } from '../support/redis-cluster.js'

const opened: RedisClient[] = []
// Held for the whole file so both describes below share one cluster instead of starting two.
let cluster: TestRedisCluster
let release = async (): Promise<void> => {}
beforeAll(async () => { if (REDIS_BACKENDS.includes('cluster')) ({ cluster, release } = await acquireSharedRedisCluster()) })
afterAll(async () => { await release() })
afterEach(() => { for (const c of opened.splice(0)) c.disconnect() })

async function client (url: string, name = 'client-test'): Promise<RedisClient> {
  const c = connectRedis(url, name)
  opened.push(c)
  await redisReady(c, 10_000)
  return c
}

// Keys whose hash tags land in slots served by different masters of a 3-master cluster (0–5460, 5461–10922, 10923–16383).
const SPREAD_KEYS = ['smoke:{c1}:a', 'smoke:{c2}:a', 'smoke:{c3}:a', 'smoke:{c4}:a', 'smoke:{c5}:a', 'smoke:{c6}:a', 'smoke:{c7}:a']

const SWAP = `
local a = redis.call('GET', KEYS[1])
redis.call('SET', KEYS[1], redis.call('GET', KEYS[2]))
redis.call('SET', KEYS[2], a)
return a`

describe.each(REDIS_BACKENDS)('Redis client on %s', (backend) => {
  let testRedis: TestRedis
  beforeAll(async () => { testRedis = await openTestRedis(backend) })
  afterAll(async () => { await testRedis.close() })

  it('is a Cluster client exactly when the URL says redis-cluster://', async () => {
    const c = await client(testRedis.url)
    expect(c instanceof Cluster).toBe(backend === 'cluster')
    expect(c.status).toBe('ready')
  })

  it('reads back what it wrote under keys of many concerts', async () => {
    const c = await client(testRedis.url)
    await Promise.all(SPREAD_KEYS.map((k, i) => viaRedis(c.set(k, String(i)))))
    expect(await Promise.all(SPREAD_KEYS.map(k => c.get(k)))).toEqual(SPREAD_KEYS.map((_, i) => String(i)))
    expect(await c.incr('smoke:{c1}:n')).toBe(1)
    await pingRedis(c)
  })

  it('runs a script over several keys of one concert in one step', async () => {
    const c = await client(testRedis.url)
    await c.set('smoke:{c9}:x', 'left')
    await c.set('smoke:{c9}:y', 'right')
    expect(await c.eval(SWAP, 2, 'smoke:{c9}:x', 'smoke:{c9}:y')).toBe('left')
    expect([await c.get('smoke:{c9}:x'), await c.get('smoke:{c9}:y')]).toEqual(['right', 'left'])
  })

  it('flush empties every node', async () => {
    const c = await client(testRedis.url)
    await Promise.all(SPREAD_KEYS.map(k => c.set(k, 'x')))
    await testRedis.flush()
    expect(await Promise.all(SPREAD_KEYS.map(k => c.exists(k)))).toEqual(SPREAD_KEYS.map(() => 0))
  })
})

describe.runIf(REDIS_BACKENDS.includes('cluster'))('Redis client on a real cluster', () => {
  it('spreads concerts over all three masters, each key on the master that owns its slot', async () => {
    const c = await client(cluster.url)
    const masters = await Promise.all(SPREAD_KEYS.map(k => cluster.masterOf(k)))
    expect(new Set(masters).size).toBe(3)
    await Promise.all(SPREAD_KEYS.map(k => c.set(k, k)))
    // Asked directly (no redirection), each master holds exactly the keys of its slots.
    for (const [i, key] of SPREAD_KEYS.entries()) {
      const direct = connectRedis(`redis://127.0.0.1:${masters[i]}`, 'direct')
      opened.push(direct)
      await redisReady(direct)
      expect(await direct.get(key)).toBe(key)
    }
  })

  it('refuses a script over keys of two concerts (cross-slot), which is a bug (500), not an outage (503)', async () => {
    const c = await client(cluster.url)
    const failure = await c.eval(SWAP, 2, 'smoke:{c1}:x', 'smoke:{c2}:x').then(() => null, (err: unknown) => err)
    expect(String(failure)).toMatch(/CROSSSLOT|same slot/)
    expect(isRedisUnavailable(failure)).toBe(false)
  })

  it('answers 503 at once while every node is down, and heals by itself when they return', async () => {
    const c = await client(cluster.url)
    await c.set('smoke:{c1}:heal', 'before')
    await Promise.all(cluster.ports.map(p => cluster.kill(p)))

    const down = await viaRedis(c.get('smoke:{c1}:heal')).then(() => null, (err: unknown) => err)
    expect(down).toBeInstanceOf(ServiceUnavailableError)
    await expect(pingRedis(c)).rejects.toBeInstanceOf(ServiceUnavailableError)
    const late = connectRedis(cluster.url, 'started-while-down')
    opened.push(late)
    await expect(redisReady(late, 300)).rejects.toBeInstanceOf(ServiceUnavailableError)

    // The nodes come back with their nodes.conf (same slots) but no data: nothing was persisted.
    await Promise.all(cluster.ports.map(p => cluster.restart(p)))
    await cluster.waitHealthy()
    await redisReady(c, 15_000)
    await redisReady(late, 15_000)
    await viaRedis(c.set('smoke:{c1}:heal', 'after'))
    expect(await late.get('smoke:{c1}:heal')).toBe('after')
  })
})

describe.runIf(REDIS_BACKENDS.includes('cluster'))('Redis client through a failover', () => {
  let own: TestRedisCluster
  beforeAll(async () => { own = await startRedisCluster({ nodeTimeoutMs: 1000 }) })
  afterAll(async () => { await own?.close() })

  it('answers or fails as an outage while a master is failed over, and finds the promoted replica by itself', async () => {
    const c = await client(own.url, 'failover')
    const key = 'smoke:{c1}:n'
    await c.set(key, '0')
    const master = await own.masterOf(key)
    const [replica] = await own.replicasOf(master)
    // The replica has the key before its master dies (replication is asynchronous).
    await waitUntil(() => onRedisPort(replica, async r => { await r.call('READONLY'); return (await r.get(key)) === '0' }), 5000, () => 'the replica never got the key')

    const outcomes: string[] = []
    let stop = false
    const traffic = (async () => {
      while (!stop) {
        try {
          await viaRedis(c.incr(key))
          outcomes.push('ok')
        } catch (err) {
          outcomes.push(err instanceof ServiceUnavailableError ? '503' : `bug: ${String(err)}`)
          await new Promise(resolve => setTimeout(resolve, 50))
        }
      }
    })()
    await new Promise(resolve => setTimeout(resolve, 200))
    const killedAt = Date.now()
    await own.kill(master)
    await own.waitHealthy(30_000)
    const failoverMs = Date.now() - killedAt
    expect(await own.masterOf(key)).toBe(replica)
    const healed = outcomes.length
    await waitUntil(async () => outcomes.slice(healed).filter(o => o === 'ok').length >= 20, 15_000, () => `no success after the failover: ${outcomes.slice(-5).join(', ')}`, 50)
    stop = true
    await traffic
    console.info(`[failover] replica promoted after ${failoverMs} ms; ${outcomes.filter(o => o === '503').length} of ${outcomes.length} commands answered 503`)
    expect(outcomes.filter(o => o !== 'ok' && o !== '503')).toEqual([])
    expect(Number(await c.get(key))).toBeGreaterThan(0)
  })
})
