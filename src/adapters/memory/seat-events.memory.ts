// SeatEvents in process: a version counter and an EventEmitter per show (one instance, so delivery is synchronous).

import { EventEmitter } from 'node:events'
import type { SeatEvent, SeatEvents } from '../../modules/reservations/seat-events.js'

export function createMemorySeatEvents (): SeatEvents {
  const emitter = new EventEmitter()
  emitter.setMaxListeners(0)
  const versions = new Map<number, number>()
  return {
    publish (change) {
      const version = (versions.get(change.showId) ?? 0) + 1
      versions.set(change.showId, version)
      const event: SeatEvent = {
        showId: change.showId, seatNo: change.seatNo, status: change.status, heldUntil: change.status === 'HELD' ? change.heldUntil ?? null : null, version
      }
      // A throwing listener must neither stop the others nor reach the writer that published.
      for (const listener of emitter.listeners(String(change.showId))) {
        try { (listener as (e: SeatEvent) => void)(event) } catch { /* the listener's own failure */ }
      }
    },
    subscribe (showId, listener) {
      emitter.on(String(showId), listener)
      return () => { emitter.off(String(showId), listener) }
    },
    async version (showId) { return versions.get(showId) ?? 0 },
    async settled () { /* delivery is synchronous */ }
  }
}
