// Background work of every instance: the admission tick (+ live queue streams), the hold sweeper, the outbox relay, purges.

import type { FastifyBaseLogger } from 'fastify'
import type { UseCases } from './compose.js'
import type { QueueHub } from './modules/queue/queue-hub.js'

export const ADMISSION_TICK_MS = 500
export const SWEEP_TICK_MS = 1000
/** How often every instance tries the relay lease (the holder delivers what committed since). */
export const RELAY_TICK_MS = 250

/** Runs `work` every `ms` without overlapping itself; errors are logged, never thrown. */
function every (ms: number, name: string, log: FastifyBaseLogger, work: () => Promise<unknown>): { stop: () => Promise<void> } {
  let running: Promise<unknown> | null = null
  let failures = 0
  const timer = setInterval(() => {
    if (running) return
    running = work().then(() => { failures = 0 }, (err: unknown) => {
      // A store that is down fails every tick: say so once, then quietly until it recovers.
      if (failures++ === 0) log.warn({ err }, `${name} failed`)
    }).finally(() => { running = null })
  }, ms)
  timer.unref()
  return { async stop () { clearInterval(timer); await running } }
}

export function startJobs (jobs: UseCases['jobs'], hub: QueueHub, log: FastifyBaseLogger): () => Promise<void> {
  const running = [
    every(ADMISSION_TICK_MS, 'admission tick', log, async () => {
      await jobs.admitWaiting()
      if (hub.size() > 0) await hub.refresh()
    }),
    every(SWEEP_TICK_MS, 'hold sweeper', log, jobs.expireHolds),
    every(3600_000, 'idempotency purge', log, jobs.purgeIdempotency),
    every(3600_000, 'outbox prune', log, jobs.pruneEvents)
  ]
  const relay = jobs.relayEvents
  if (relay) running.push(every(RELAY_TICK_MS, 'outbox relay', log, relay))
  return async () => {
    await Promise.all(running.map(j => j.stop()))
    // The next instance takes over at once instead of waiting the lease out.
    if (relay) await jobs.releaseRelayLease().catch(() => {})
  }
}
