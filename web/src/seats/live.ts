// Live seat changes of one show over the event stream; a gap in the map's version, or a reconnect, re-reads the map.

import { streams, type ApiError, type SeatEvent } from '../api'
import { openStream } from '../stream'

export interface LiveSeatsOptions {
  date: string
  /** One section's events only (a big show's section screen); null for the whole show. */
  section?: string | null
  queueToken: string
  /** The version of the map already on screen (undefined from a server that sends none). */
  version: number | undefined
  apply: (event: SeatEvent) => void
  /** Re-reads the whole map and applies it; resolves with its version, or null when it could not be read. */
  resync: () => Promise<number | undefined | null>
  onState: (state: 'live' | 'connecting') => void
  /** The server refused the stream (the queue token lapsed, say). */
  onRefused: (error: ApiError) => void
  /** The stream's `expired` event: the queue token lapsed while the map was open. */
  onExpired: () => void
}

export function followSeats (options: LiveSeatsOptions, signal: AbortSignal): void {
  let version = options.version
  let reconnecting = false

  const catchUp = async () => {
    const fresh = await options.resync()
    if (fresh !== null && fresh !== undefined) version = Math.max(version ?? 0, fresh)
  }

  const onEvent = (event: SeatEvent) => {
    if (event.version !== undefined && version !== undefined) {
      if (event.version <= version) return // the map we read already had it
      // A jump means changes we never received: apply this one, then read the whole map.
      if (event.version > version + 1) void catchUp()
    }
    if (event.version !== undefined) version = Math.max(version ?? 0, event.version)
    options.apply(event)
  }

  openStream<SeatEvent>(streams.seats(options.date, options.section), { queueToken: options.queueToken }, {
    onMessage: onEvent,
    final: { expired: () => options.onExpired() },
    onOpen: () => {
      options.onState('live')
      // Changes made while we were disconnected were not streamed: catch up once.
      if (reconnecting) void catchUp()
      reconnecting = false
    },
    onReconnecting: () => { reconnecting = true; options.onState('connecting') },
    onRefused: (error) => { options.onState('connecting'); options.onRefused(error) }
  }, signal)
}
