// Redis connections for the production mode (one server or a Cluster): fail fast while Redis is down, reconnect by themselves, report 503.

import { Cluster, Redis, ReplyError, type ClusterNode } from 'ioredis'
import { ServiceUnavailableError } from '../../shared/errors.js'
import { isClusterUrl, parseClusterUrl } from './cluster-url.js'

/** Either kind of connection; adapters take this and keep every script's keys in one hash slot. */
export type RedisClient = Redis | Cluster

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
  /** Cluster only: SSUBSCRIBE through one subscriber connection per master (sharded pub/sub). */
  shardedSubscribers?: boolean
}

/** Seconds a client is asked to wait after a 503 caused by Redis. */
export const REDIS_RETRY_AFTER_SECONDS = 2

export { isClusterUrl, parseClusterUrl }

const connectionName = (name: string): string => name.replace(/[^A-Za-z0-9_.:-]/g, '-')

/** Picks a standalone client for `redis://`/`rediss://` and a Cluster client for `redis-cluster://`. */
export function connectRedis (url: string, name: string, options: RedisClientOptions = {}): RedisClient {
  return isClusterUrl(url) ? createRedisClusterClient(url, name, options) : createRedisClient(url, name, options)
}

/**
 * A client that never queues commands while disconnected (they fail at once, and callers turn that into a
 * 503), keeps reconnecting every ~500 ms forever so the service heals itself when Redis returns, and logs
 * a lost or regained connection once instead of every failed attempt.
 */
export function createRedisClient (url: string, name: string, options: RedisClientOptions = {}): Redis {
  if (isClusterUrl(url)) throw new Error('createRedisClient takes redis:// URLs; use connectRedis for redis-cluster://')
  const reconnectEveryMs = options.reconnectEveryMs ?? 500
  const redis = new Redis(url, {
    connectionName: connectionName(name),
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
  reportOutages(redis, name, reconnectEveryMs, options.log)
  return redis
}

/**
 * The same behaviour on a Redis Cluster: no offline queue (a command for a slot whose master is gone fails
 * after the client's short failover retries, ~1.5 s at most, and becomes a 503), the slot map refreshed on
 * MOVED/CLUSTERDOWN and every 2 s so a promoted replica is found without a restart, and the whole cluster
 * reconnected every ~500 ms forever when no node answers.
 */
export function createRedisClusterClient (url: string, name: string, options: RedisClientOptions = {}): Cluster {
  const { nodes, username, password } = parseClusterUrl(url)
  const reconnectEveryMs = options.reconnectEveryMs ?? 500
  const cluster = new Cluster(nodes as ClusterNode[], {
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    clusterRetryStrategy: () => reconnectEveryMs,
    // 15 tries × 100 ms bridges a failover of about cluster-node-timeout + election before giving up on a command.
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 100,
    retryDelayOnTryAgain: 100,
    maxRedirections: 16,
    slotsRefreshTimeout: options.connectTimeoutMs ?? 1000,
    slotsRefreshInterval: 2000,
    shardedSubscribers: options.shardedSubscribers ?? false,
    redisOptions: {
      connectionName: connectionName(name),
      username,
      password,
      maxRetriesPerRequest: 1,
      connectTimeout: options.connectTimeoutMs ?? 1000,
      commandTimeout: options.commandTimeoutMs ?? 1500,
      autoResubscribe: true,
      keepAlive: 10_000
    }
  })
  reportOutages(cluster, name, reconnectEveryMs, options.log)
  // A lost master is news even while the cluster as a whole stays ready (its replica takes over).
  cluster.on('-node', (_node: Redis, key: string) => { options.log?.('warn', `redis connection "${name}" lost cluster node ${key}`) })
  return cluster
}

function reportOutages (client: RedisClient, name: string, reconnectEveryMs: number, log: RedisLog | undefined): void {
  let healthy = true
  client.on('error', (err: Error) => {
    // Every failed reconnection attempt emits 'error': report only the first one of an outage.
    if (!healthy) return
    healthy = false
    log?.('warn', `redis connection "${name}" is down; reconnecting every ${reconnectEveryMs} ms`, err)
  })
  client.on('ready', () => {
    if (healthy) return
    healthy = true
    log?.('info', `redis connection "${name}" is back`)
  })
}

/** Resolves once the client is connected and ready; a ServiceUnavailableError after `timeoutMs`. */
export async function redisReady (redis: RedisClient, timeoutMs = 5000): Promise<void> {
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
const CROSS_SLOT = /CROSSSLOT|belong to the same slot/
const TRANSIENT_REPLY = /^(LOADING|BUSY|TRYAGAIN|READONLY|MASTERDOWN|CLUSTERDOWN|NOREPLICAS|OOM)\b/

/** True when `err` says Redis is unreachable or not serving (as opposed to a bad command or script). */
export function isRedisUnavailable (err: unknown): boolean {
  if (!(err instanceof Error)) return false
  if (err instanceof ReplyError) return TRANSIENT_REPLY.test(err.message)
  // The Cluster client refuses keys of several slots itself (before Redis would say CROSSSLOT): a bug, not an outage.
  return !CROSS_SLOT.test(err.message)
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
export async function pingRedis (redis: RedisClient): Promise<void> {
  await viaRedis(redis.ping())
}
