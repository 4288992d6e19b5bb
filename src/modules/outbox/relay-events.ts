// Use cases of the relay: deliver committed outbox events to the event stream (one instance at a time), prune old ones.

import type { Clock } from '../../shared/clock.js'
import type { EventStream } from './event-stream.js'
import type { OutboxRelayStore } from './relay-store.js'

export interface RelayEventsDeps {
  relay: OutboxRelayStore
  stream: EventStream
  clock: Clock
  /** This instance's name on the lease. */
  holder: string
  /** How long the lease lasts without renewal: the longest a crashed relay delays delivery. */
  leaseMs: number
  /** Stream entries older than this are trimmed (the same period delivered rows are kept). */
  retentionMs: number
  /** Events per append (default 500). */
  batchSize?: number
}

export interface RelayOutcome {
  /** Whether this instance held the lease for this round. */
  leader: boolean
  delivered: number
}

/**
 * One round of the relay: takes (or renews) the lease, then appends the undelivered events to the stream in
 * id order, batch by batch, marking each batch delivered after the stream took it. At least once: a crash
 * between append and mark delivers that batch again in the next round (consumers de-duplicate by id); a
 * rolled-back change never reaches the table, so it is never delivered. Any instance may call it; while one
 * holds the lease the others' rounds do nothing, and a former holder whose lease was taken over is fenced off
 * both in the stream and in the table. A stream that cannot be reached fails the round and gives the lease
 * up, so another instance tries next; the events wait in the table meanwhile.
 */
export async function relayEvents (deps: RelayEventsDeps): Promise<RelayOutcome> {
  const batchSize = deps.batchSize ?? 500
  let lease = await deps.relay.acquireLease(deps.holder, deps.clock.now(), deps.leaseMs)
  if (!lease) return { leader: false, delivered: 0 }
  let delivered = 0
  for (;;) {
    const events = await deps.relay.listUnpublished(batchSize)
    if (events.length === 0) break
    let appended: 'appended' | 'fenced'
    try {
      appended = await deps.stream.append(events, lease.token, deps.clock.now() - deps.retentionMs)
    } catch (err) {
      // Perhaps only this instance cannot reach the stream: let another one try in its next round.
      await deps.relay.releaseLease(deps.holder).catch(() => {})
      throw err
    }
    if (appended === 'fenced') return { leader: false, delivered }
    const marked = await deps.relay.markPublished(events.map(e => e.id), deps.clock.now(), lease)
    if (marked === 0) return { leader: false, delivered }
    delivered += marked
    if (events.length < batchSize) break
    // A backlog (after an outage) takes many batches: keep the lease alive between them.
    lease = await deps.relay.acquireLease(deps.holder, deps.clock.now(), deps.leaseMs)
    if (!lease) break
  }
  return { leader: true, delivered }
}

export interface PruneEventsDeps { relay: OutboxRelayStore, clock: Clock, retentionMs: number }

/**
 * Deletes events older than the retention period, a bounded batch at a time: delivered ones when there is a
 * stream (an undelivered event is kept until some relay delivers it), all of them when there is none (the
 * embedded mode, where GET /admin/events is the only reader). Returns how many it deleted.
 */
export async function pruneEvents (deps: PruneEventsDeps, input: { withStream: boolean }): Promise<number> {
  const before = deps.clock.now() - deps.retentionMs
  let total = 0
  for (;;) {
    const n = await deps.relay.prune(before, { undelivered: !input.withStream, limit: 1000 })
    total += n
    if (n < 1000) return total
  }
}
