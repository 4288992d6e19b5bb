// One typed, validated config object read from the environment; defaults give the embedded mode.

import { randomBytes } from 'node:crypto'
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { isIP } from 'node:net'
import { isClusterUrl, parseClusterUrl } from './adapters/redis/cluster-url.js'

export interface Config {
  port: number
  host: string
  databaseUrl: string
  redisUrl: string | undefined
  embedded: boolean
  jwtSecret: string
  /** Embedded mode with a database file and no JWT_SECRET: where the generated secret is kept (see keepEmbeddedSecret). */
  jwtSecretFile: string | undefined
  authDevLogin: boolean
  seedDemo: boolean | undefined
  holdTtlMs: number
  maxHoldsPerUser: number
  queueMaxActive: number
  queueActiveTtlMs: number
  queueHeartbeatTimeoutMs: number
  queueIdleTimeoutMs: number
  queueAdmission: 'capacity' | 'rate'
  queueAdmitPerTick: number
  queueTickMs: number
  maxCharge: number
  maxBalance: number
  /** Owners may refund a paid order until this long before its show starts. */
  refundCutoffMs: number
  logLevel: string
  /** Requests per minute per client address; 0 turns rate limiting off (the default). */
  rateLimitPerMinute: number
  /** Largest accepted request body in bytes. */
  bodyLimitBytes: number
  /** Largest body of POST /admin/concerts (a whole venue's seat ranges) in bytes. */
  adminBodyLimitBytes: number
  /**
   * Which proxies in front are trusted to say the client address (for rate limits and logs): none (false),
   * the nearest N hops, or those addresses (IPs, CIDR ranges, loopback/linklocal/uniquelocal).
   */
  trustProxy: false | number | string[]
  /** How long a client may take to send a request's headers, and the whole request (then 408, socket closed). */
  headersTimeoutMs: number
  requestTimeoutMs: number
  /** How long a connection may stay idle between requests. */
  keepAliveTimeoutMs: number
  /** Open connections per instance; more are closed at once. */
  maxConnections: number
  /** The Redis Stream the outbox relay appends events to (production mode). */
  eventsStream: string
  /** How long delivered events stay in the outbox table and the stream (ms). */
  eventsRetentionMs: number
  /** How long the relay lease lasts without renewal: how soon another instance takes over from a crashed relay (ms). */
  eventsRelayLeaseMs: number
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>

function int (env: Env, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  if (!/^[0-9]+$/.test(raw.trim())) throw new ConfigError(`${name} must be a whole number, got "${raw}"`)
  const n = Number(raw.trim())
  if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${n}`)
  return n
}

function bool (env: Env, name: string, fallback: boolean | undefined): boolean | undefined {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  if (/^(true|1|yes)$/i.test(raw)) return true
  if (/^(false|0|no)$/i.test(raw)) return false
  throw new ConfigError(`${name} must be true or false, got "${raw}"`)
}

function oneOf<T extends string> (env: Env, name: string, values: readonly T[], fallback: T): T {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  if (!(values as readonly string[]).includes(raw)) throw new ConfigError(`${name} must be one of ${values.join(', ')}, got "${raw}"`)
  return raw as T
}

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal'])

/** One proxy address: an IP, an IP/prefix range, or a name proxy-addr knows. */
function isProxyAddress (entry: string): boolean {
  if (PROXY_NAMES.has(entry)) return true
  const [ip, prefix, ...rest] = entry.split('/')
  const family = isIP(ip)
  if (family === 0 || rest.length > 0) return false
  return prefix === undefined || (/^[0-9]{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128))
}

function trustProxy (env: Env): Config['trustProxy'] {
  const raw = (env.TRUST_PROXY ?? '').trim()
  if (raw === '' || raw === 'false' || raw === '0') return false
  if (/^[0-9]{1,2}$/.test(raw)) return Number(raw)
  const list = raw.split(',').map(e => e.trim())
  if (list.every(isProxyAddress)) return list
  // `true` (trust every hop) is refused: any client could then pick its own address in X-Forwarded-For.
  throw new ConfigError(`TRUST_PROXY must be false, the number of proxy hops in front (1 behind the shipped nginx) or a comma list of proxy addresses, got "${raw}"`)
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

function clusterUrlProblem (url: string): string | null {
  try {
    parseClusterUrl(url)
    return null
  } catch {
    return 'must be redis-cluster://host:port,host:port,... (no database number: a cluster has only db 0)'
  }
}

/** Reads and validates the configuration; throws ConfigError naming the variable at fault. */
export function loadConfig (env: Env = process.env): Config {
  const databaseUrl = env.DATABASE_URL || 'sqlite:./data/concert.db'
  if (!/^sqlite:.+/.test(databaseUrl) && !/^mysql:\/\/.+/.test(databaseUrl)) {
    throw new ConfigError(`DATABASE_URL must start with sqlite: or mysql://, got "${databaseUrl}"`)
  }
  const redisUrl = env.REDIS_URL || undefined
  if (redisUrl !== undefined && !/^rediss?:\/\/.+/.test(redisUrl)) {
    const problem = isClusterUrl(redisUrl) ? clusterUrlProblem(redisUrl) : 'must start with redis://, rediss:// or redis-cluster://'
    if (problem) throw new ConfigError(`REDIS_URL ${problem}, got "${redisUrl}"`)
  }
  const embedded = databaseUrl.startsWith('sqlite:') && redisUrl === undefined

  let jwtSecret = env.JWT_SECRET
  let jwtSecretFile: string | undefined
  if (jwtSecret === undefined || jwtSecret === '') {
    if (!embedded) throw new ConfigError('JWT_SECRET is required outside the embedded mode (at least 32 bytes)')
    jwtSecret = randomBytes(32).toString('hex')
    const file = databaseUrl.slice('sqlite:'.length)
    if (file !== ':memory:') jwtSecretFile = `${file}.secret`
  } else if (Buffer.byteLength(jwtSecret) < 32) {
    throw new ConfigError('JWT_SECRET must be at least 32 bytes')
  }

  const logLevel = env.LOG_LEVEL || 'info'
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`)

  const headersTimeoutMs = int(env, 'HEADERS_TIMEOUT_SECONDS', 10, 1, 3600) * 1000
  const requestTimeoutMs = int(env, 'REQUEST_TIMEOUT_SECONDS', 30, 1, 3600) * 1000
  if (headersTimeoutMs > requestTimeoutMs) throw new ConfigError('HEADERS_TIMEOUT_SECONDS must not exceed REQUEST_TIMEOUT_SECONDS (the headers are part of the request)')
  const eventsStream = env.EVENTS_STREAM || 'concert:events'
  if (!/^[\x21-\x7e]{1,200}$/.test(eventsStream)) throw new ConfigError(`EVENTS_STREAM must be 1–200 printable characters without spaces, got "${eventsStream}"`)

  return {
    port: int(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || '127.0.0.1',
    databaseUrl,
    redisUrl,
    embedded,
    jwtSecret,
    jwtSecretFile,
    authDevLogin: bool(env, 'AUTH_DEV_LOGIN', embedded) ?? embedded,
    seedDemo: bool(env, 'SEED_DEMO', undefined),
    holdTtlMs: int(env, 'HOLD_TTL_SECONDS', 300, 1, 86_400) * 1000,
    maxHoldsPerUser: int(env, 'MAX_HOLDS_PER_USER', 4, 1, 1000),
    queueMaxActive: int(env, 'QUEUE_MAX_ACTIVE', 100, 1, 1_000_000),
    queueActiveTtlMs: int(env, 'QUEUE_ACTIVE_TTL_SECONDS', 600, 1, 86_400) * 1000,
    queueHeartbeatTimeoutMs: int(env, 'QUEUE_HEARTBEAT_TIMEOUT_SECONDS', 60, 1, 86_400) * 1000,
    queueIdleTimeoutMs: int(env, 'QUEUE_IDLE_TIMEOUT_SECONDS', 120, 1, 86_400) * 1000,
    queueAdmission: oneOf(env, 'QUEUE_ADMISSION', ['capacity', 'rate'] as const, 'capacity'),
    queueAdmitPerTick: int(env, 'QUEUE_ADMIT_PER_TICK', 50, 1, 1_000_000),
    queueTickMs: int(env, 'QUEUE_TICK_SECONDS', 5, 1, 86_400) * 1000,
    maxCharge: int(env, 'MAX_CHARGE', 1_000_000, 1, Number.MAX_SAFE_INTEGER),
    maxBalance: int(env, 'MAX_BALANCE', 100_000_000, 1, Number.MAX_SAFE_INTEGER),
    refundCutoffMs: int(env, 'REFUND_CUTOFF_HOURS', 24, 0, 8760) * 3_600_000,
    logLevel,
    rateLimitPerMinute: int(env, 'RATE_LIMIT_PER_MINUTE', 0, 0),
    bodyLimitBytes: int(env, 'BODY_LIMIT_BYTES', 16 * 1024, 256, 10 * 1024 * 1024),
    adminBodyLimitBytes: int(env, 'ADMIN_BODY_LIMIT_BYTES', 4 * 1024 * 1024, 1024, 64 * 1024 * 1024),
    trustProxy: trustProxy(env),
    headersTimeoutMs,
    requestTimeoutMs,
    keepAliveTimeoutMs: int(env, 'KEEP_ALIVE_TIMEOUT_SECONDS', 10, 1, 3600) * 1000,
    maxConnections: int(env, 'MAX_CONNECTIONS', 10_000, 1, 1_000_000),
    eventsStream,
    eventsRetentionMs: int(env, 'EVENTS_RETENTION_HOURS', 168, 1, 24 * 366) * 3600_000,
    eventsRelayLeaseMs: int(env, 'EVENTS_RELAY_LEASE_SECONDS', 10, 1, 600) * 1000
  }
}

/**
 * The embedded mode's generated secret, kept next to the SQLite file (mode 0600) so sign-ins and queue
 * tokens stay valid across restarts: read when present, written on the first start. Any other config is
 * returned as is.
 */
export function keepEmbeddedSecret (config: Config): Config {
  const file = config.jwtSecretFile
  if (file === undefined) return config
  let kept: string | undefined
  try {
    kept = readFileSync(file, 'utf8').trim()
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  if (kept !== undefined && Buffer.byteLength(kept) >= 32) return { ...config, jwtSecret: kept }
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, `${config.jwtSecret}\n`, { mode: 0o600 })
  chmodSync(file, 0o600) // the mode above applies only when the file is created
  return config
}
