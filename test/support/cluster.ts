// N service instances on one fresh MySQL database and one Redis (a redis-server of their own, a Redis Cluster, a shared logical database, or a given URL).

import { createConnection, type Connection } from 'mysql2/promise'
import { createMysqlDatabase, openTestRedis } from './backends.js'
import { CLUSTER_SECRET } from './http-client.js'
import { startInstance, type Instance } from './instances.js'
import { acquireSharedRedisCluster } from './redis-cluster.js'
import { startOwnRedis } from './redis-server.js'

export interface Cluster {
  instances: Instance[]
  databaseUrl: string
  redisUrl: string
  /** Environment every instance got (without PORT). */
  env: Record<string, string>
  /** A root connection to the cluster's database, for checking the books directly. */
  sql (): Promise<Connection>
  /** Starts one more instance on the same database and Redis (SEED_DEMO=false). */
  add (name: string, env?: Record<string, string>): Promise<Instance>
  /** Kills every instance still running, drops the database, closes Redis. */
  close (): Promise<void>
}

export interface ClusterOptions {
  /** How many instances (default 2). */
  size?: number
  /** Settings for every instance (QUEUE_MAX_ACTIVE, HOLD_TTL_SECONDS, ...). */
  env?: Record<string, string>
  /** Redis to use (e.g. a redis-server the test kills); by default see `clusterRedis`. */
  redisUrl?: string
  /** Part of the database name, to tell them apart. */
  label?: string
}

/**
 * Which Redis a cluster gets unless told (TEST_CLUSTER_REDIS): `own` (the default) starts a redis-server of its
 * own on a free port; `cluster` a private Redis Cluster (3 masters + 3 replicas) shared by the test file;
 * `shared` takes this worker's logical database on the shared server (openTestRedis). The instances' keys
 * are the same in every test database, so on a machine where several test runs go on at once, a shared
 * logical database gets flushed and admitted into by someone else's run.
 */
export const clusterRedis: 'own' | 'cluster' | 'shared' =
  process.env.TEST_CLUSTER_REDIS === 'shared' ? 'shared' : process.env.TEST_CLUSTER_REDIS === 'cluster' ? 'cluster' : 'own'

async function redisForCluster (): Promise<{ url: string, close: () => Promise<void> }> {
  if (clusterRedis === 'shared') return openTestRedis()
  if (clusterRedis === 'cluster') {
    const { cluster, release } = await acquireSharedRedisCluster()
    await cluster.flushAll()
    return { url: cluster.url, close: release }
  }
  const own = await startOwnRedis()
  return { url: own.url, close: () => own.kill() }
}

/**
 * A fresh MariaDB/MySQL database, a Redis (see `clusterRedis`, or `redisUrl`), and `size` instances of the
 * service on free ports, started together: app1 with SEED_DEMO=true, the others with SEED_DEMO=false.
 * Resolves once every instance answers GET /ready with 200 (and the demo concert is there).
 */
export async function startCluster (options: ClusterOptions = {}): Promise<Cluster> {
  const database = await createMysqlDatabase(options.label ?? 'multi')
  const redis = options.redisUrl ? null : await redisForCluster()
  const redisUrl = options.redisUrl ?? redis!.url
  const env: Record<string, string> = {
    DATABASE_URL: database.url,
    REDIS_URL: redisUrl,
    JWT_SECRET: CLUSTER_SECRET,
    AUTH_DEV_LOGIN: 'true',
    LOG_LEVEL: 'warn',
    ...options.env
  }
  const instances: Instance[] = []
  const close = async (): Promise<void> => {
    await Promise.all(instances.map(i => i.kill()))
    await database.drop().catch(() => {})
    await redis?.close()
  }
  try {
    // All at once: migrations take a lock (Kysely's migrator), and only app1 loads the demo concert, so
    // nothing races; each instance counts as started once its /ready answers 200.
    const started = await Promise.allSettled(Array.from({ length: options.size ?? 2 }, (_, i) =>
      startInstance(`app${i + 1}`, { ...env, SEED_DEMO: i === 0 ? 'true' : 'false' })))
    for (const r of started) if (r.status === 'fulfilled') instances.push(r.value)
    const failed = started.find(r => r.status === 'rejected')
    if (failed) throw (failed as PromiseRejectedResult).reason
  } catch (err) {
    await close()
    throw err
  }
  return {
    instances,
    databaseUrl: database.url,
    redisUrl,
    env,
    sql: () => createConnection({ uri: database.url, decimalNumbers: true, supportBigNumbers: true }),
    async add (name, extra = {}) {
      const instance = await startInstance(name, { ...env, SEED_DEMO: 'false', ...extra })
      instances.push(instance)
      return instance
    },
    close
  }
}
