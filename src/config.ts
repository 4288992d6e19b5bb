// One typed, validated config object read from the environment; defaults give the embedded mode.

import { randomBytes } from 'node:crypto'
import { isClusterUrl, parseClusterUrl } from './adapters/redis/cluster-url.js'

export interface Config {
  port: number
  host: string
  databaseUrl: string
  redisUrl: string | undefined
  embedded: boolean
  jwtSecret: string
  authDevLogin: boolean
  seedDemo: boolean | undefined
  holdTtlMs: number
  maxHoldsPerUser: number
  queueMaxActive: number
  queueActiveTtlMs: number
  queueHeartbeatTimeoutMs: number
  maxCharge: number
  maxBalance: number
  logLevel: string
  /** Requests per minute per client address; 0 turns rate limiting off (the default). */
  rateLimitPerMinute: number
  /** Largest accepted request body in bytes. */
  bodyLimitBytes: number
  /** Trust X-Forwarded-For from a proxy in front (the client address for rate limits and logs). */
  trustProxy: boolean
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
  if (jwtSecret === undefined || jwtSecret === '') {
    if (!embedded) throw new ConfigError('JWT_SECRET is required outside the embedded mode (at least 32 bytes)')
    jwtSecret = randomBytes(32).toString('hex')
  } else if (Buffer.byteLength(jwtSecret) < 32) {
    throw new ConfigError('JWT_SECRET must be at least 32 bytes')
  }

  const logLevel = env.LOG_LEVEL || 'info'
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`)

  const eventsStream = env.EVENTS_STREAM || 'concert:events'
  if (!/^[\x21-\x7e]{1,200}$/.test(eventsStream)) throw new ConfigError(`EVENTS_STREAM must be 1–200 printable characters without spaces, got "${eventsStream}"`)

  return {
    port: int(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || '127.0.0.1',
    databaseUrl,
    redisUrl,
    embedded,
    jwtSecret,
    authDevLogin: bool(env, 'AUTH_DEV_LOGIN', embedded) ?? embedded,
    seedDemo: bool(env, 'SEED_DEMO', undefined),
    holdTtlMs: int(env, 'HOLD_TTL_SECONDS', 300, 1, 86_400) * 1000,
    maxHoldsPerUser: int(env, 'MAX_HOLDS_PER_USER', 4, 1, 1000),
    queueMaxActive: int(env, 'QUEUE_MAX_ACTIVE', 100, 1, 1_000_000),
    queueActiveTtlMs: int(env, 'QUEUE_ACTIVE_TTL_SECONDS', 600, 1, 86_400) * 1000,
    queueHeartbeatTimeoutMs: int(env, 'QUEUE_HEARTBEAT_TIMEOUT_SECONDS', 60, 1, 86_400) * 1000,
    maxCharge: int(env, 'MAX_CHARGE', 1_000_000, 1, Number.MAX_SAFE_INTEGER),
    maxBalance: int(env, 'MAX_BALANCE', 100_000_000, 1, Number.MAX_SAFE_INTEGER),
    logLevel,
    rateLimitPerMinute: int(env, 'RATE_LIMIT_PER_MINUTE', 0, 0),
    bodyLimitBytes: int(env, 'BODY_LIMIT_BYTES', 16 * 1024, 256, 10 * 1024 * 1024),
    trustProxy: bool(env, 'TRUST_PROXY', false) ?? false,
    eventsStream,
    eventsRetentionMs: int(env, 'EVENTS_RETENTION_HOURS', 168, 1, 24 * 366) * 3600_000,
    eventsRelayLeaseMs: int(env, 'EVENTS_RELAY_LEASE_SECONDS', 10, 1, 600) * 1000
  }
}
