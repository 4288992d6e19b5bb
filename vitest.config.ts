// Test runner settings: unit, contract, http, process and multi-instance tiers in one run (browser tests: vitest.e2e.config.ts).
import { defineConfig } from 'vitest/config'

// TEST_SQL_BACKENDS=sqlite runs without MariaDB and Redis: the suites that exist only to talk to them are left out.
const realStores = (process.env.TEST_SQL_BACKENDS ?? 'sqlite,mysql').split(',').includes('mysql')
const needsRealStores = ['test/multi/**', 'test/contract/*.redis.test.ts', 'test/contract/queue-store.contract.test.ts']

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**', ...(realStores ? [] : needsRealStores)],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default']
  }
})
