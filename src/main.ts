// Entry point: read config → compose adapters → buildApp → listen; graceful shutdown on SIGINT/SIGTERM.

import closeWithGrace from 'close-with-grace'
import { createSqlSeedLedger } from './adapters/sql/seed-ledger.sql.js'
import { buildApp } from './app.js'
import { createAppLogger } from './http/logging.js'
import { compose } from './compose.js'
import { ConfigError, keepEmbeddedSecret, loadConfig } from './config.js'
import { seedDemo } from './seed.js'

async function main (): Promise<void> {
  let config
  try {
    config = keepEmbeddedSecret(loadConfig())
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`configuration error: ${err.message}\n`)
      process.exit(2)
    }
    throw err
  }
  const logger = createAppLogger(config.logLevel)
  const composed = await compose(config, { log: (level, msg, err) => logger[level]({ err }, msg) })
  if (await seedDemo({ concerts: composed.deps.ports.concerts, clock: composed.deps.clock, seeds: createSqlSeedLedger(composed.database) }, config.seedDemo)) logger.info('loaded the demo concert')
  const app = await buildApp(composed.deps, { logger })

  closeWithGrace({ delay: 10_000, logger }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'shutting down after an error')
    else logger.info({ signal }, 'shutting down: finishing in-flight requests')
    await app.close() // stops accepting, lets in-flight requests finish, stops the background jobs
    await composed.close()
  })

  await app.listen({ port: config.port, host: config.host })
  logger.info({ mode: config.embedded ? 'embedded' : 'production', database: config.databaseUrl.split(':')[0], redis: Boolean(config.redisUrl) }, `concert reservation service on http://${config.host}:${config.port}`)
}

main().catch((err: unknown) => {
  process.stderr.write(`failed to start: ${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
})
