// buildTestApp: the whole app over a real database (SQLite in memory or a fresh MariaDB database), driven by inject.

import type { FastifyBaseLogger, FastifyInstance, LightMyRequestResponse } from 'fastify'
import { buildApp } from '../../src/app.js'
import { createSqlSeedLedger } from '../../src/adapters/sql/seed-ledger.sql.js'
import { createAuth } from '../../src/http/auth.js'
import { compose } from '../../src/compose.js'
import { loadConfig } from '../../src/config.js'
import type { AppDeps } from '../../src/deps.js'
import { seedDemo } from '../../src/seed.js'
import type { Clock } from '../../src/shared/clock.js'
import { createMysqlDatabase, openTestRedis, REDIS_BACKENDS, SQL_BACKENDS } from './backends.js'

/** The app's backends: embedded (SQLite + in-process queue), MariaDB + in-process, production (MariaDB + Redis, or + a Redis Cluster). */
export type AppBackend = 'sqlite' | 'mysql' | 'mysql+redis' | 'mysql+redis-cluster'
export const APP_BACKENDS: AppBackend[] = (process.env.TEST_APP_BACKENDS?.split(',') as AppBackend[] | undefined) ??
  [...SQL_BACKENDS, ...(SQL_BACKENDS.includes('mysql') ? REDIS_BACKENDS.map(r => r === 'cluster' ? 'mysql+redis-cluster' as const : 'mysql+redis' as const) : [])]

export const TEST_SECRET = 'test-secret-that-is-at-least-32-bytes-long!!'

export interface TestApp {
  app: FastifyInstance
  deps: AppDeps
  close: () => Promise<void>
  /** A bearer token header for a user. */
  as: (userId: string, role?: 'admin') => Record<string, string>
  req: (method: string, url: string, options?: { headers?: Record<string, string>, body?: unknown }) => Promise<LightMyRequestResponse>
}

/** Builds the app on `backend` with the demo concert loaded; `env` overrides the configuration. */
export async function buildTestApp (backend: AppBackend, env: Record<string, string> = {}, options: { clock?: Clock, jobs?: boolean, logger?: FastifyBaseLogger } = {}): Promise<TestApp> {
  const mysql = backend !== 'sqlite' ? await createMysqlDatabase('http') : null
  // Flushed first; a cluster stays up until the app is closed (it is shared by the file's apps).
  const redis = backend === 'mysql+redis' ? await openTestRedis('standalone') : backend === 'mysql+redis-cluster' ? await openTestRedis('cluster') : null
  const config = loadConfig({
    DATABASE_URL: mysql ? mysql.url : 'sqlite::memory:',
    JWT_SECRET: TEST_SECRET,
    AUTH_DEV_LOGIN: 'true',
    LOG_LEVEL: 'silent',
    ...(redis ? { REDIS_URL: redis.url } : {}),
    ...env
  })
  const composed = await compose(config, { clock: options.clock })
  await seedDemo({ concerts: composed.deps.ports.concerts, clock: composed.deps.clock, seeds: createSqlSeedLedger(composed.database) }, true)
  const app = await buildApp(composed.deps, { jobs: options.jobs ?? false, web: false, logger: options.logger })
  await app.ready()
  const auth = createAuth(TEST_SECRET)
  const as = (userId: string, role?: 'admin'): Record<string, string> => ({ authorization: `Bearer ${auth.sign(userId, role).accessToken}` })
  return {
    app,
    deps: composed.deps,
    as,
    req: (method, url, o = {}) => app.inject({ method: method as 'GET', url, headers: o.headers, ...(o.body !== undefined ? { payload: o.body as object } : {}) }),
    async close () {
      await app.close()
      await composed.close()
      await mysql?.drop()
      await redis?.close()
    }
  }
}
