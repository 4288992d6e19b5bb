// Redis connections for the production mode: fail fast while Redis is down, reconnect by themselves, report 503.

import { Redis, ReplyError } from 'ioredis'
import { ServiceUnavailableError } from '../../shared/errors.js'

/** Where connection news goes (a pino logger adapts in one line); never console. */
export type RedisLog = (level: 'info' | 'warn', message: string, err?: Error) => void

export interface RedisClientOptions {
  log?: RedisLog
  /** How long a command may take before it counts as Redis being down (ms). */
  commandTimeoutMs?: number
  /** How long one connection attempt may take (ms). */
  connectTimeoutMs?: number
  /** Pause between reconnection attempts (ms); they go on forever. */
  reconnectEveryMs?: number
}

/** Seconds a client is asked to wait after a 503 caused by Redis. */
export const REDIS_RETRY_AFTER_SECONDS = 2

/**
 * A client that never queues commands while disconnected (they fail at once, and callers turn that into a
 * 503), keeps reconnecting every ~500 ms forever so the service heals itself when Redis returns, and logs
 * a lost or regained connection once instead of every failed attempt.
 */
export function createRedisClient (url: string, name: string, options: RedisClientOptions = {}): Redis {
  const reconnectEveryMs = options.reconnectEveryMs ?? 500
  const redis = new Redis(url, {
    connectionName: name.replace(/[^A-Za-z0-9_.:-]/g, '-'),
    enableOfflineQueue: false,
    // Commands issued by concurrent requests in the same tick go out in one write (writes dominated the profiles).
    enableAutoPipelining: true,
    maxRetriesPerRequest: 1,
    connectTimeout: options.connectTimeoutMs ?? 1000,
    commandTimeout: options.commandTimeoutMs ?? 1500,
    retryStrategy: () => reconnectEveryMs,
    autoResubscribe: true,
    keepAlive: 10_000
  })
  let healthy = true
  redis.on('error', (err: Error) => {
    // Every failed reconnection attempt emits 'error': report only the first one of an outage.
    if (!healthy) return
    healthy = false
    options.log?.('warn', `redis connection "${name}" is down; reconnecting every ${reconnectEveryMs} ms`, err)
  })
  redis.on('ready', () => {
    if (healthy) return
    healthy = true
    options.log?.('info', `redis connection "${name}" is back`)
  })
  return redis
}

/** Resolves once the client is connected and ready; a ServiceUnavailableError after `timeoutMs`. */
export async function redisReady (redis: Redis, timeoutMs = 5000): Promise<void> {
  if (redis.status === 'ready') return
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady)
      reject(new ServiceUnavailableError(`redis did not become ready within ${timeoutMs} ms`, REDIS_RETRY_AFTER_SECONDS))
    }, timeoutMs)
    timer.unref()
    function onReady (): void { clearTimeout(timer); resolve() }
    redis.once('ready', onReady)
  })
}

// Replies that mean "Redis cannot serve right now", as opposed to a mistake in the command or script.
const TRANSIENT_REPLY = /^(LOADING|BUSY|TRYAGAIN|READONLY|MASTERDOWN|CLUSTERDOWN|NOREPLICAS|OOM)\b/

/** True when `err` says Redis is unreachable or not serving (as opposed to a bad command or script). */
export function isRedisUnavailable (err: unknown): boolean {
  if (!(err instanceof Error)) return false
  if (err instanceof ReplyError) return TRANSIENT_REPLY.test(err.message)
  return true
}

/**
 * Rethrows a failed Redis call as 503 SERVICE_UNAVAILABLE (with the original as `cause`). A reply error
 * that is a bug (wrong type, script error) is rethrown as is, so it surfaces as a 500 rather than a retry.
 */
export function redisDown (err: unknown, what = 'redis'): never {
  if (!isRedisUnavailable(err)) throw err
  const unavailable = new ServiceUnavailableError(`${what} is unavailable`, REDIS_RETRY_AFTER_SECONDS)
  unavailable.cause = err
  throw unavailable
}

/** Awaits a Redis call, turning an outage into ServiceUnavailableError. */
export async function viaRedis<T> (call: Promise<T>, what = 'redis'): Promise<T> {
  try {
    return await call
  } catch (err) {
    return redisDown(err, what)
  }
}

/** For /ready: resolves when Redis answers PING, else ServiceUnavailableError. */
export async function pingRedis (redis: Redis): Promise<void> {
  await viaRedis(redis.ping())
}
