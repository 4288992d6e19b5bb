// Real processes: instances started at once on one empty MariaDB database load the demo concert once (issue 9, item 3).

import { afterAll, describe, expect, it } from 'vitest'
import { createMysqlDatabase } from '../support/backends.js'
import { call, CLUSTER_SECRET } from '../support/http-client.js'
import { startInstance, type Instance } from '../support/instances.js'

describe('instances started at once on an empty database', () => {
  const instances: Instance[] = []
  let drop: (() => Promise<void>) | undefined
  afterAll(async () => {
    await Promise.all(instances.map(i => i.kill()))
    await drop?.()
  })

  it('load the demo concert once between them (SEED_DEMO unset on both)', async () => {
    const database = await createMysqlDatabase('seed_race')
    drop = database.drop
    const env = { DATABASE_URL: database.url, JWT_SECRET: CLUSTER_SECRET, LOG_LEVEL: 'info' }
    const started = await Promise.allSettled(['seed1', 'seed2'].map(name => startInstance(name, env)))
    for (const r of started) if (r.status === 'fulfilled') instances.push(r.value)
    expect(started.map(r => r.status)).toEqual(['fulfilled', 'fulfilled'])
    for (const instance of instances) {
      const listed = await call(instance.url, 'GET', '/concerts')
      expect(listed.body.concerts).toHaveLength(1)
    }
    const loaded = instances.filter(i => i.output().includes('loaded the demo concert'))
    expect(loaded).toHaveLength(1)
  }, 120_000)
})
