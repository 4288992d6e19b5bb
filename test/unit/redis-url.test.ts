// REDIS_URL=redis-cluster://...: which URLs start the service on a Cluster, and which stop it with a clear message.

import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../src/config.js'
import { isClusterUrl, parseClusterUrl } from '../../src/adapters/redis/redis.js'

const SECRET = 'x'.repeat(32)

describe('redis-cluster:// URLs', () => {
  it('name every seed node with its port', () => {
    expect(parseClusterUrl('redis-cluster://10.0.0.1:7000,10.0.0.2:7001,cache-3:7002')).toEqual({
      nodes: [{ host: '10.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7001 }, { host: 'cache-3', port: 7002 }],
      username: undefined,
      password: undefined
    })
  })

  it('may carry a password, with or without a user name, percent-encoded', () => {
    expect(parseClusterUrl('redis-cluster://:s%40cret@h:7000')).toMatchObject({ username: undefined, password: 's@cret' })
    expect(parseClusterUrl('redis-cluster://app:pw@h:7000,h2:7000')).toMatchObject({ username: 'app', password: 'pw', nodes: [{ host: 'h', port: 7000 }, { host: 'h2', port: 7000 }] })
  })

  it('are told apart from single-server URLs', () => {
    expect(isClusterUrl('redis-cluster://h:7000')).toBe(true)
    expect(isClusterUrl('redis://h:6379/0')).toBe(false)
    expect(isClusterUrl('rediss://h:6380/0')).toBe(false)
  })

  it.each(['redis-cluster://', 'redis-cluster://h', 'redis-cluster://h:7000,h2', 'redis-cluster://h:99999', 'redis-cluster://h:7000/0'])(
    '%s is refused', (url) => {
      expect(() => parseClusterUrl(url)).toThrow()
      expect(() => loadConfig({ REDIS_URL: url, JWT_SECRET: SECRET })).toThrow(ConfigError)
      expect(() => loadConfig({ REDIS_URL: url, JWT_SECRET: SECRET })).toThrow(/REDIS_URL/)
    })

  it('start the production mode like a single Redis does', () => {
    const config = loadConfig({ REDIS_URL: 'redis-cluster://127.0.0.1:7000,127.0.0.1:7001', JWT_SECRET: SECRET })
    expect(config).toMatchObject({ redisUrl: 'redis-cluster://127.0.0.1:7000,127.0.0.1:7001', embedded: false, authDevLogin: false })
  })
})
