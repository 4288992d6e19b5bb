// Browser tests (test/e2e): real server processes and headless Chromium, one file at a time, generous timeouts.
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    globalSetup: ['test/e2e/support/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    // expect.poll waits for the page (live updates, countdowns) as long as a locator would, not vitest's 1 s.
    expect: { poll: { timeout: 15_000, interval: 100 } },
    reporters: ['default']
  }
})
