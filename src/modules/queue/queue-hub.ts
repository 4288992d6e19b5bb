// Keeps this instance's open queue streams fresh: each tick re-reads their entries from the store (shared
// across instances) and sends what changed, so an admission made by any instance reaches every stream.

import type { SseStream } from '../../http/sse.js'
import type { QueueTicket } from './waiting-room.js'

interface Watcher { tokenId: string, last: string, stream: SseStream }

/** What makes an event worth sending: the place or the status, not an ETA that drifts every tick. */
export const ticketKey = (t: { status: string, position: number | null, activeUntil: number | null }): string => `${t.status}:${t.position}:${t.activeUntil ?? ''}`

export interface QueueHub {
  watch (concertId: number, tokenId: string, lastKey: string, stream: SseStream): void
  /** Re-reads every watched entry and sends changes; called by the admission tick. */
  refresh (): Promise<void>
  size (): number
}

/** `read` gives the current tickets of many tokens of one concert at once (null for lapsed ones). */
export function createQueueHub (read: (concertId: number, tokenIds: string[]) => Promise<Array<QueueTicket | null>>, toBody: (t: QueueTicket) => unknown): QueueHub {
  const byConcert = new Map<number, Set<Watcher>>()
  return {
    watch (concertId, tokenId, lastKey, stream) {
      const set = byConcert.get(concertId) ?? new Set<Watcher>()
      byConcert.set(concertId, set)
      const w: Watcher = { tokenId, last: lastKey, stream }
      set.add(w)
      stream.onClose(() => { set.delete(w); if (set.size === 0 && byConcert.get(concertId) === set) byConcert.delete(concertId) })
    },
    async refresh () {
      for (const [concertId, set] of byConcert) {
        const watchers = [...set]
        const tickets = await read(concertId, watchers.map(w => w.tokenId))
        watchers.forEach((w, i) => {
          const t = tickets[i]
          if (!t) {
            w.stream.send({ code: 'QUEUE_TOKEN_EXPIRED', detail: 'the queue token has expired or left the queue' }, 'expired')
            w.stream.close()
            return
          }
          const key = ticketKey(t)
          if (key !== w.last) { w.last = key; w.stream.send(toBody(t)) }
          // Nothing is left to sell: the stream has said so and ends (a poll shows whether seats came back).
          if (t.status === 'SOLD_OUT') w.stream.close()
        })
      }
    },
    size () { let n = 0; for (const s of byConcert.values()) n += s.size; return n }
  }
}
