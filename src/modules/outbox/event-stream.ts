// Port: where the relay delivers events for other systems (a Redis Stream in production).

import type { OutboxEvent } from './outbox.js'

export interface EventStream {
  /**
   * Appends `events` in the given order as `{ id, type, occurredAt, data }` entries, and drops entries older
   * than `trimBefore` (ms). Refuses with 'fenced' (appending nothing) once a relay with a higher `token`
   * has appended: a relay whose lease was taken over can no longer write.
   */
  append (events: OutboxEvent[], token: number, trimBefore: number): Promise<'appended' | 'fenced'>
}
