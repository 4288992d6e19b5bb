// Unit: loadConfig — defaults give the embedded mode; bad values stop the start naming the variable.

import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../src/config.js'

const SECRET = 'x'.repeat(32)
const MYSQL = 'mysql://app:pw@db:3306/concert'

describe('loadConfig', () => {
  it('with nothing set it is the embedded mode with the documented defaults', () => {
    const c = loadConfig({})
    expect(c).toEqual({
      port: 3000,
      host: '127.0.0.1',
      databaseUrl: 'sqlite:./data/concert.db',
      redisUrl: undefined,
      embedded: true,
      jwtSecret: expect.any(String),
      jwtSecretFile: './data/concert.db.secret',
      authDevLogin: true,
      seedDemo: undefined,
      holdTtlMs: 300_000,
      maxHoldsPerUser: 4,
      queueMaxActive: 100,
      queueActiveTtlMs: 600_000,
      queueHeartbeatTimeoutMs: 60_000,
      queueIdleTimeoutMs: 120_000,
      queueAdmission: 'capacity',
      queueAdmitPerTick: 50,
      queueTickMs: 5000,
      maxCharge: 1_000_000,
      maxBalance: 100_000_000,
      refundCutoffMs: 24 * 3_600_000,
      logLevel: 'info',
      rateLimitPerMinute: 0,
      bodyLimitBytes: 16 * 1024,
      adminBodyLimitBytes: 4 * 1024 * 1024,
      trustProxy: false,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 10_000,
      maxConnections: 10_000,
      eventsStream: 'concert:events',
      eventsRetentionMs: 7 * 24 * 3600_000,
      eventsRelayLeaseMs: 10_000
    })
  })

  it('the embedded mode makes up a random secret of at least 32 bytes per start', () => {
    const a = loadConfig({}).jwtSecret
    const b = loadConfig({}).jwtSecret
    expect(Buffer.byteLength(a)).toBeGreaterThanOrEqual(32)
    expect(a).not.toBe(b)
  })

  it('reads every variable', () => {
    const c = loadConfig({
      PORT: '8080', HOST: '0.0.0.0', DATABASE_URL: MYSQL, REDIS_URL: 'redis://cache:6379/0', JWT_SECRET: SECRET,
      AUTH_DEV_LOGIN: 'yes', SEED_DEMO: 'false', HOLD_TTL_SECONDS: '60', MAX_HOLDS_PER_USER: '2', QUEUE_MAX_ACTIVE: '10',
      QUEUE_ACTIVE_TTL_SECONDS: '120', QUEUE_HEARTBEAT_TIMEOUT_SECONDS: '15', QUEUE_IDLE_TIMEOUT_SECONDS: '30', QUEUE_ADMISSION: 'rate',
      QUEUE_ADMIT_PER_TICK: '7', QUEUE_TICK_SECONDS: '2', MAX_CHARGE: '500', MAX_BALANCE: '1000', REFUND_CUTOFF_HOURS: '2',
      LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '600', BODY_LIMIT_BYTES: '4096', ADMIN_BODY_LIMIT_BYTES: '65536', TRUST_PROXY: '1',
      HEADERS_TIMEOUT_SECONDS: '5', REQUEST_TIMEOUT_SECONDS: '20', KEEP_ALIVE_TIMEOUT_SECONDS: '3', MAX_CONNECTIONS: '500',
      EVENTS_STREAM: 'shop:{events}', EVENTS_RETENTION_HOURS: '48', EVENTS_RELAY_LEASE_SECONDS: '3'
    })
    expect(c).toEqual({
      port: 8080, host: '0.0.0.0', databaseUrl: MYSQL, redisUrl: 'redis://cache:6379/0', embedded: false, jwtSecret: SECRET, jwtSecretFile: undefined,
      authDevLogin: true, seedDemo: false, holdTtlMs: 60_000, maxHoldsPerUser: 2, queueMaxActive: 10, queueActiveTtlMs: 120_000,
      queueHeartbeatTimeoutMs: 15_000, queueIdleTimeoutMs: 30_000, queueAdmission: 'rate', queueAdmitPerTick: 7, queueTickMs: 2000, maxCharge: 500, maxBalance: 1000, refundCutoffMs: 7_200_000, logLevel: 'silent', rateLimitPerMinute: 600, bodyLimitBytes: 4096, adminBodyLimitBytes: 65536, trustProxy: 1,
      headersTimeoutMs: 5000, requestTimeoutMs: 20_000, keepAliveTimeoutMs: 3000, maxConnections: 500,
      eventsStream: 'shop:{events}', eventsRetentionMs: 48 * 3600_000, eventsRelayLeaseMs: 3000
    })
  })

  it('MySQL, or Redis with SQLite, is the production mode: JWT_SECRET is required and dev login is off', () => {
    for (const env of [{ DATABASE_URL: MYSQL }, { REDIS_URL: 'redis://127.0.0.1:6379' }]) {
      expect(() => loadConfig(env)).toThrow(ConfigError)
      expect(() => loadConfig(env)).toThrow(/JWT_SECRET/)
      const c = loadConfig({ ...env, JWT_SECRET: SECRET })
      expect(c).toMatchObject({ embedded: false, authDevLogin: false, jwtSecret: SECRET })
    }
  })

  it('dev login can be turned off in the embedded mode and on in production', () => {
    expect(loadConfig({ AUTH_DEV_LOGIN: 'false' }).authDevLogin).toBe(false)
    expect(loadConfig({ DATABASE_URL: MYSQL, JWT_SECRET: SECRET, AUTH_DEV_LOGIN: 'true' }).authDevLogin).toBe(true)
  })

  it('a JWT_SECRET shorter than 32 bytes is refused in every mode; bytes, not characters, count', () => {
    expect(() => loadConfig({ JWT_SECRET: 'x'.repeat(31) })).toThrow(/JWT_SECRET/)
    expect(() => loadConfig({ DATABASE_URL: MYSQL, JWT_SECRET: 'x'.repeat(31) })).toThrow(ConfigError)
    expect(loadConfig({ JWT_SECRET: 'x'.repeat(32) }).jwtSecret).toBe('x'.repeat(32))
    expect(loadConfig({ JWT_SECRET: '비'.repeat(11) }).jwtSecret).toBe('비'.repeat(11)) // 33 bytes in UTF-8
    expect(() => loadConfig({ JWT_SECRET: '비'.repeat(10) })).toThrow(/JWT_SECRET/) // 30 bytes
  })

  it.each([
    ['PORT', 'http'], ['PORT', '70000'], ['PORT', '-1'],
    ['HOLD_TTL_SECONDS', 'abc'], ['HOLD_TTL_SECONDS', '5m'], ['HOLD_TTL_SECONDS', '0'], ['HOLD_TTL_SECONDS', '1.5'],
    ['MAX_HOLDS_PER_USER', '0'], ['QUEUE_MAX_ACTIVE', '1e3'], ['QUEUE_ACTIVE_TTL_SECONDS', '86401'],
    ['QUEUE_HEARTBEAT_TIMEOUT_SECONDS', 'ten'], ['MAX_CHARGE', '0'], ['MAX_BALANCE', '-5'],
    ['RATE_LIMIT_PER_MINUTE', 'x'], ['BODY_LIMIT_BYTES', '10'], ['ADMIN_BODY_LIMIT_BYTES', '10'], ['REFUND_CUTOFF_HOURS', '1.5'], ['REFUND_CUTOFF_HOURS', '8761'],
    ['HEADERS_TIMEOUT_SECONDS', '0'], ['REQUEST_TIMEOUT_SECONDS', '1.5'], ['KEEP_ALIVE_TIMEOUT_SECONDS', 'x'], ['MAX_CONNECTIONS', '0'],
    ['EVENTS_STREAM', 'two words'], ['EVENTS_RETENTION_HOURS', '0'], ['EVENTS_RELAY_LEASE_SECONDS', '601']
  ])('%s=%s stops the start with a message naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError)
    expect(() => loadConfig({ [name]: value })).toThrow(name)
  })

  it.each([
    ['DATABASE_URL', 'postgres://db/concert'], ['REDIS_URL', 'http://cache'], ['LOG_LEVEL', 'verbose'],
    ['AUTH_DEV_LOGIN', 'maybe'], ['SEED_DEMO', '2']
  ])('%s=%s is refused naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(name))
  })

  it('TRUST_PROXY is false, a hop count, or a list of proxy addresses (IPs, CIDR ranges, loopback/linklocal/uniquelocal)', () => {
    expect(loadConfig({ TRUST_PROXY: 'false' }).trustProxy).toBe(false)
    expect(loadConfig({ TRUST_PROXY: '0' }).trustProxy).toBe(false)
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1)
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2)
    expect(loadConfig({ TRUST_PROXY: '10.0.0.7, 172.16.0.0/12,::1' }).trustProxy).toEqual(['10.0.0.7', '172.16.0.0/12', '::1'])
    expect(loadConfig({ TRUST_PROXY: 'loopback' }).trustProxy).toEqual(['loopback'])
  })

  it.each(['true', 'yes', '1.2.3', '10.0.0.0/33', 'nginx', '10.0.0.1,,10.0.0.2', '-1'])('TRUST_PROXY=%s is refused (trusting every hop lets any client pick its address)', (value) => {
    expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(ConfigError)
    expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY/)
  })

  it('the headers timeout may not exceed the request timeout (headers are part of the request)', () => {
    expect(() => loadConfig({ HEADERS_TIMEOUT_SECONDS: '40' })).toThrow(/HEADERS_TIMEOUT_SECONDS/)
    expect(loadConfig({ HEADERS_TIMEOUT_SECONDS: '30' })).toMatchObject({ headersTimeoutMs: 30_000, requestTimeoutMs: 30_000 })
  })

  it('an empty variable means its default', () => {
    expect(loadConfig({ PORT: '', HOLD_TTL_SECONDS: '', DATABASE_URL: '', JWT_SECRET: '' })).toMatchObject({ port: 3000, holdTtlMs: 300_000, embedded: true })
  })
})
