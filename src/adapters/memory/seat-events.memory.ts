// SeatEvents in process: an EventEmitter per show.

import { EventEmitter } from 'node:events'
import type { SeatChange, SeatEvents } from '../../modules/reservations/seat-events.js'

export function createMemorySeatEvents (): SeatEvents & { emitLocal (change: SeatChange): void } {
  const emitter = new EventEmitter()
  emitter.setMaxListeners(0)
  const emitLocal = (change: SeatChange): void => { emitter.emit(String(change.showId), change) }
  return {
    publish: emitLocal,
    emitLocal,
    subscribe (showId, listener) {
      emitter.on(String(showId), listener)
      return () => { emitter.off(String(showId), listener) }
    }
  }
}
