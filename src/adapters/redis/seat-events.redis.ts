// SeatEvents over Redis: one script takes the show's next version and publishes the change; every instance listens per show.

import { Cluster, type Redis } from 'ioredis'
import type { SeatStatus } from '../../modules/concerts/concert.js'
import type { SeatEvent, SeatEvents } from '../../modules/reservations/seat-events.js'
import { randomId } from '../../shared/ids.js'
import type { RedisClient, RedisLog } from './redis.js'

type Listener = (event: SeatEvent) => void

const STATUSES = new Set<string>(['AVAILABLE', 'HELD', 'SOLD'] satisfies SeatStatus[])

/** A show's version key is kept this long after its last change (a show long over needs none). */
const VERSION_TTL_SECONDS = 30 * 24 * 3600

// KEYS 1 the show's version counter, 2 its channel (one hash slot: both carry {c<concertId>}).
// ARGV 1 the message without its version, 2 PUBLISH or SPUBLISH, 3 the counter's TTL. Returns the version.
const PUBLISH = `
local v = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call(ARGV[2], KEYS[2], ARGV[1] .. v .. '}')
return v
`

/** The message on the wire: o = the publishing instance, s/n/t/h = show, seat, status, heldUntil, v = version. */
function parseMessage (message: string): (SeatEvent & { origin: string }) | null {
  try {
    const m = JSON.parse(message) as { o?: unknown, s?: unknown, n?: unknown, t?: unknown, h?: unknown, v?: unknown }
    if (typeof m.o !== 'string' || !Number.isSafeInteger(m.s) || !Number.isSafeInteger(m.n) || typeof m.t !== 'string' ||
      !STATUSES.has(m.t) || !(m.h === null || typeof m.h === 'number') || !Number.isSafeInteger(m.v)) return null
    return { origin: m.o, showId: m.s as number, seatNo: m.n as number, status: m.t as SeatStatus, heldUntil: m.h, version: m.v as number }
  } catch {
    return null
  }
}

export interface RedisSeatEventsOptions {
  /**
   * The concert of a show (its keys and channel carry the concert's hash tag); null for an unknown show.
   * Until the composition root passes it, a show's keys are tagged by the show itself (`{s<showId>}`),
   * which is as slot-safe but cannot share a script with the concert's other keys.
   */
  concertOf?: (showId: number) => Promise<number | null>
  /** Put before every key and channel name (tests keep theirs apart with it). */
  namespace?: string
  log?: RedisLog
}

/**
 * Seat events with a channel per show, `seat-events:{c<concertId>}:<showId>` (`db<n>:seat-events:…` on a
 * database other than 0), and its version counter
 * `seat-version:{c<concertId>}:<showId>` in the same hash slot: one script increments the counter and
 * publishes, so versions are in publishing order and the same on every instance. On a Redis Cluster the
 * channel is sharded (SPUBLISH/SSUBSCRIBE: only the slot's shard carries it; `sub` needs ioredis'
 * shardedSubscribers); on one Redis it is plain pub/sub. This instance listens to a show while it has
 * local listeners. Its own changes reach its listeners when the script answers; while Redis is down they
 * still do, with the last version known (it cannot grow without Redis) — other instances miss them, which
 * the seat maps' periodic check against SQL repairs. Publishing never throws. `sub` is a connection of
 * its own (subscriber mode); `close` stops listening but leaves both connections to their owner.
 */
export function createRedisSeatEvents (pub: RedisClient, sub: RedisClient, options: RedisSeatEventsOptions): SeatEvents & { close (): Promise<void> } {
  const sharded = pub instanceof Cluster
  const namespace = options.namespace ?? ''
  const origin = randomId(9)
  const listeners = new Map<number, Set<{ listener: Listener }>>()
  const channels = new Map<number, string>() // shows this instance listens to, by their channel
  const concerts = new Map<number, Promise<number | null>>()
  const lastVersion = new Map<number, number>()
  const inFlight = new Map<number, Set<Promise<void>>>() // this instance's publishes not yet delivered locally

  let failing = false
  const warn = (message: string) => (err: unknown): void => {
    if (failing) return
    failing = true
    options.log?.('warn', message, err as Error)
  }
  const ok = (): void => { failing = false }

  const tag = (concertId: number, showId: number): string => options.concertOf ? `{c${concertId}}:${showId}` : `{s${showId}}:${showId}`
  // Pub/sub ignores the database number: deployments sharing one Redis server on different databases
  // would hear each other's shows, so a channel names its database (a Cluster has only database 0).
  const db = sharded ? 0 : ((pub as Redis).options.db ?? 0)
  const channelOf = (concertId: number, showId: number): string => `${namespace}${db === 0 ? '' : `db${db}:`}seat-events:${tag(concertId, showId)}`
  const versionKeyOf = (concertId: number, showId: number): string => `${namespace}seat-version:${tag(concertId, showId)}`

  function concertOf (showId: number): Promise<number | null> {
    let found = concerts.get(showId)
    if (!found) {
      found = options.concertOf ? options.concertOf(showId) : Promise.resolve(0)
      concerts.set(showId, found)
      found.then((c) => { if (c === null) concerts.delete(showId) }, () => { concerts.delete(showId) })
    }
    return found
  }

  function seen (showId: number, version: number): void {
    if (version > (lastVersion.get(showId) ?? 0)) lastVersion.set(showId, version)
  }

  function deliver (event: SeatEvent): void {
    seen(event.showId, event.version)
    const set = listeners.get(event.showId)
    if (!set) return
    for (const { listener } of [...set]) {
      try {
        listener(event)
      } catch (err) {
        options.log?.('warn', 'a seat event listener threw', err as Error)
      }
    }
  }

  function onMessage (channel: string, message: string): void {
    const m = parseMessage(message)
    // Our own changes were delivered locally when the script answered.
    if (!m || m.origin === origin || channels.get(m.showId) !== channel) return
    const { origin: _, ...event } = m
    deliver(event)
  }

  const listen = (channel: string): Promise<unknown> => sharded ? (sub as Cluster).ssubscribe(channel) : sub.subscribe(channel)
  const unlisten = (channel: string): Promise<unknown> => sharded ? (sub as Cluster).sunsubscribe(channel) : sub.unsubscribe(channel)

  // ioredis re-subscribes by itself after a reconnect, but only to channels whose SUBSCRIBE had succeeded;
  // subscribing again to every channel we need also covers those first asked for while Redis was down.
  // (A Cluster's sharded subscribers keep their own channel list and move it when slots move.)
  function onReady (): void {
    if (sharded) return
    const all = [...channels.values()]
    if (all.length > 0) sub.subscribe(...all).then(ok, warn('seat events: re-subscribing after a reconnect failed'))
  }

  const messageEvent = sharded ? 'smessage' : 'message'
  sub.on(messageEvent, onMessage)
  sub.on('ready', onReady)

  // EVALSHA: the script's text travels once per connection, not with every seat of every hold.
  pub.defineCommand('seatEventPublish', { numberOfKeys: 2, lua: PUBLISH })
  const publishScript = (pub as unknown as Record<string, (...args: string[]) => Promise<unknown>>).seatEventPublish

  async function publish (event: Omit<SeatEvent, 'version'>): Promise<void> {
    const concertId = await concertOf(event.showId)
    if (concertId === null) throw new Error(`no show ${event.showId}`)
    const body = JSON.stringify({ o: origin, s: event.showId, n: event.seatNo, t: event.status, h: event.heldUntil })
    const version = await publishScript.call(pub, versionKeyOf(concertId, event.showId), channelOf(concertId, event.showId),
      `${body.slice(0, -1)},"v":`, sharded ? 'SPUBLISH' : 'PUBLISH', String(VERSION_TTL_SECONDS))
    ok()
    deliver({ ...event, version: Number(version) })
  }

  return {
    publish (change) {
      const event = { showId: change.showId, seatNo: change.seatNo, status: change.status, heldUntil: change.status === 'HELD' ? change.heldUntil ?? null : null }
      const done = publish(event).catch((err: unknown) => {
        warn('seat events: publishing failed; other instances miss this change')(err)
        deliver({ ...event, version: lastVersion.get(event.showId) ?? 0 })
      })
      let pending = inFlight.get(event.showId)
      if (!pending) { pending = new Set(); inFlight.set(event.showId, pending) }
      pending.add(done)
      const mine = pending
      void done.finally(() => {
        mine.delete(done)
        if (mine.size === 0 && inFlight.get(event.showId) === mine) inFlight.delete(event.showId)
      })
    },
    async settled (showId) {
      const pending = inFlight.get(showId)
      if (pending) await Promise.all([...pending])
    },
    subscribe (showId, listener) {
      let set = listeners.get(showId)
      if (!set) {
        set = new Set()
        listeners.set(showId, set)
        const mine = set
        concertOf(showId).then((concertId) => {
          if (concertId === null || listeners.get(showId) !== mine) return
          const channel = channelOf(concertId, showId)
          channels.set(showId, channel)
          return listen(channel).then(ok, warn('seat events: subscribing failed; will retry on reconnect'))
        }).catch(warn('seat events: finding the show\'s concert failed; its changes from other instances are missed'))
      }
      const entry = { listener }
      set.add(entry)
      const mine = set
      return () => {
        if (!mine.delete(entry) || mine.size > 0 || listeners.get(showId) !== mine) return
        listeners.delete(showId)
        const channel = channels.get(showId)
        channels.delete(showId)
        if (channel) unlisten(channel).catch(warn('seat events: unsubscribing failed'))
      }
    },
    async version (showId) {
      const concertId = await concertOf(showId)
      if (concertId === null) return 0
      const version = Number(await pub.get(versionKeyOf(concertId, showId)) ?? 0)
      seen(showId, version)
      return version
    },
    async close () {
      sub.off(messageEvent, onMessage)
      sub.off('ready', onReady)
      const all = [...channels.values()]
      listeners.clear()
      channels.clear()
      for (const channel of all) await unlisten(channel).catch(() => {})
    }
  }
}
