// SeatEvents over Redis pub/sub: a seat change on any instance reaches the live seat maps of every instance.

import type { Redis } from 'ioredis'
import { randomId } from '../../shared/ids.js'
import type { SeatStatus } from '../../modules/concerts/concert.js'
import type { SeatChange, SeatEvents } from '../../modules/reservations/seat-events.js'
import type { RedisLog } from './redis.js'

type Listener = (change: SeatChange) => void

const STATUSES = new Set<string>(['AVAILABLE', 'HELD', 'SOLD'] satisfies SeatStatus[])

/** The message on the wire: the change and the instance that published it. */
interface Envelope { o: string, c: SeatChange }

function parseEnvelope (message: string): Envelope | null {
  try {
    const e = JSON.parse(message) as { o?: unknown, c?: { showId?: unknown, seatNo?: unknown, status?: unknown } }
    const c = e.c
    if (typeof e.o !== 'string' || !c || typeof c.showId !== 'number' || typeof c.seatNo !== 'number' ||
      typeof c.status !== 'string' || !STATUSES.has(c.status)) return null
    return { o: e.o, c: { showId: c.showId, seatNo: c.seatNo, status: c.status as SeatStatus } }
  } catch {
    return null
  }
}

/**
 * Seat events with one channel per show (`seat-events:<showId>`). This instance subscribes to a show's
 * channel when its first local listener arrives and unsubscribes when the last one leaves. Local listeners
 * hear a change at once (also while Redis is down); other instances hear it through Redis. Publishing is
 * best-effort and never throws. `sub` must be a connection of its own (it enters subscriber mode); after a
 * reconnect every channel with local listeners is subscribed again. `close` stops listening but leaves
 * both connections open for their owner to close.
 */
export function createRedisSeatEvents (
  pub: Redis, sub: Redis, options: { prefix?: string, log?: RedisLog } = {}
): SeatEvents & { close (): Promise<void> } {
  const prefix = options.prefix ?? 'seat-events:'
  const origin = randomId(9)
  const listeners = new Map<number, Set<{ listener: Listener }>>()
  const channelOf = (showId: number): string => `${prefix}${showId}`

  let failing = false
  const warn = (message: string) => (err: unknown): void => {
    if (failing) return
    failing = true
    options.log?.('warn', message, err as Error)
  }
  const ok = (): void => { failing = false }

  function deliver (change: SeatChange): void {
    const set = listeners.get(change.showId)
    if (!set) return
    for (const { listener } of [...set]) {
      try {
        listener(change)
      } catch (err) {
        options.log?.('warn', 'a seat event listener threw', err as Error)
      }
    }
  }

  function onMessage (channel: string, message: string): void {
    if (!channel.startsWith(prefix)) return
    const envelope = parseEnvelope(message)
    // Our own changes were delivered locally when published.
    if (!envelope || envelope.o === origin || channelOf(envelope.c.showId) !== channel) return
    deliver(envelope.c)
  }

  // ioredis re-subscribes by itself after a reconnect, but only to channels whose SUBSCRIBE had succeeded;
  // subscribing again to every channel we need also covers those first asked for while Redis was down.
  function onReady (): void {
    const channels = [...listeners.keys()].map(channelOf)
    if (channels.length > 0) sub.subscribe(...channels).then(ok, warn('seat events: re-subscribing after a reconnect failed'))
  }

  sub.on('message', onMessage)
  sub.on('ready', onReady)

  return {
    publish (change) {
      deliver(change)
      try {
        pub.publish(channelOf(change.showId), JSON.stringify({ o: origin, c: change } satisfies Envelope))
          .then(ok, warn('seat events: publishing failed; other instances miss this change'))
      } catch (err) {
        warn('seat events: publishing failed; other instances miss this change')(err)
      }
    },
    subscribe (showId, listener) {
      let set = listeners.get(showId)
      if (!set) {
        set = new Set()
        listeners.set(showId, set)
        sub.subscribe(channelOf(showId)).then(ok, warn('seat events: subscribing failed; will retry on reconnect'))
      }
      const entry = { listener }
      set.add(entry)
      const mine = set
      return () => {
        if (!mine.delete(entry) || mine.size > 0 || listeners.get(showId) !== mine) return
        listeners.delete(showId)
        sub.unsubscribe(channelOf(showId)).catch(warn('seat events: unsubscribing failed'))
      }
    },
    async close () {
      sub.off('message', onMessage)
      sub.off('ready', onReady)
      const channels = [...listeners.keys()].map(channelOf)
      listeners.clear()
      if (channels.length > 0) await sub.unsubscribe(...channels).catch(() => {})
    }
  }
}
