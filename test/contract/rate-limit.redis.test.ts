// Rate-limit counters in Redis, on one server and on a Cluster: one limit across instances, one key (one slot) per client address.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.js'
import { compose, type Composed } from '../../src/compose.js'
import { loadConfig } from '../../src/config.js'
import { connectRedis, redisReady, type RedisClient } from '../../src/adapters/redis/redis.js'
import { REDIS_BACKENDS, openTestRedis, type TestRedis } from '../support/backends.js'

describe.each(REDIS_BACKENDS)('rate limits counted in Redis on %s', (backend) => {
  let testRedis: TestRedis
  const opened: Array<{ app: FastifyInstance, composed: Composed, redis: RedisClient }> = []
  beforeAll(async () => { testRedis = await openTestRedis(backend) })
  afterAll(async () => { await testRedis.close() })
  afterEach(async () => {
    for (const o of opened.splice(0)) { await o.app.close(); await o.composed.close(); o.redis.disconnect() }
  })

  /** An app "instance" whose counters live in the test Redis (the SQL side is an in-memory SQLite of its own). */
  async function instance (): Promise<FastifyInstance> {
    const composed = await compose(loadConfig({ DATABASE_URL: 'sqlite::memory:', RATE_LIMIT_PER_MINUTE: '3', LOG_LEVEL: 'silent' }))
    const redis = connectRedis(testRedis.url, 'rate-limit')
    await redisReady(redis, 10_000)
    const app = await buildApp({ ...composed.deps, sharedRedis: redis }, { jobs: false, web: false })
    opened.push({ app, composed, redis })
    return app
  }

  it('holds one limit across instances and names the wait in retry-after', async () => {
    await testRedis.flush()
    const [a, b] = [await instance(), await instance()]
    const statuses: number[] = []
    for (const app of [a, b, a, b, a]) statuses.push((await app.inject({ method: 'GET', url: '/concerts' })).statusCode)
    expect(statuses).toEqual([200, 200, 200, 429, 429])
    const refused = await b.inject({ method: 'GET', url: '/concerts' })
    expect(refused.json()).toMatchObject({ code: 'RATE_LIMITED', status: 429 })
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0)
    // One counter per client address, with the window as its TTL: a single key, so a single slot on a cluster.
    expect(Number(await testRedis.redis.get('concert:ratelimit:127.0.0.1'))).toBe(6)
    expect(await testRedis.redis.pttl('concert:ratelimit:127.0.0.1')).toBeGreaterThan(50_000)
  })

  it('lets requests through (fails open) when Redis is unreachable', async () => {
    await instance()
    const dead = connectRedis(backend === 'cluster' ? 'redis-cluster://127.0.0.1:1' : 'redis://127.0.0.1:1', 'dead')
    dead.on('error', () => {})
    const app = await buildApp({ ...opened[0].composed.deps, sharedRedis: dead }, { jobs: false, web: false })
    try {
      const statuses = await Promise.all(Array.from({ length: 5 }, async () => (await app.inject({ method: 'GET', url: '/concerts' })).statusCode))
      expect(statuses).toEqual([200, 200, 200, 200, 200])
    } finally {
      await app.close()
      dead.disconnect()
    }
  })
})
