// SeatEvents in process: an EventEmitter per show.

import { EventEmitter } from 'node:events'
import type { SeatChange, SeatEvents } from '../../modules/reservations/seat-events.js'

export function createMemorySeatEvents (): SeatEvents {
  const emitter = new EventEmitter()
  emitter.setMaxListeners(0)
  return {
    publish (change: SeatChange) { emitter.emit(String(change.showId), change) },
    subscribe (showId, listener) {
      emitter.on(String(showId), listener)
      return () => { emitter.off(String(showId), listener) }
    }
  }
}
