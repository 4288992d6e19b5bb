// Live seat maps: each show read from SQL once, then kept current by seat events from every instance and checked against SQL now and then.

import type { Show } from './concert.js'
import type { ConcertRepository } from './concert-repository.js'
import { createSeatMap, type SeatMap } from './seat-map.js'
import { createSeatMapViews, type SeatMapViews } from './seat-map-views.js'
import type { SeatEvent, SeatEvents } from '../reservations/seat-events.js'

export interface LiveSeatMap { map: SeatMap, views: SeatMapViews }

export interface LiveSeatMaps {
  /** The show's live map, loaded on first use; within `maxStaleMs` of its last check against SQL. */
  get (show: Show): Promise<LiveSeatMap>
  /** Stops listening to every show. */
  close (): void
}

export interface LiveSeatMapsDeps {
  concerts: Pick<ConcertRepository, 'findLayout' | 'listSeatStates' | 'sectionFingerprints'>
  events: SeatEvents
  /** Real elapsed time for the checks (the service clock may be a test's manual one; seat lapses use that one). */
  monotonicNow?: () => number
  /** A map read this long after its last check is checked again in the background (ms). */
  checkEveryMs?: number
  /** A map read this long after its last check waits for a check first: bounds what a lost event costs (ms). */
  maxStaleMs?: number
  /** A map nobody read for this long is dropped and its show no longer listened to (ms). */
  idleMs?: number
  log?: (level: 'warn', message: string, err?: Error) => void
}

interface Entry {
  showId: number
  ready: Promise<LiveSeatMap>
  live?: LiveSeatMap
  unsubscribe: () => void
  checkedAt: number
  checking?: Promise<void>
  /** After a failed check (SQL down): no new one before this, and the map is served as it is meanwhile. */
  retryAt: number
  /** A hold arrived without its lapse time: the next read checks first (SQL has the time). */
  unsure: boolean
  readAt: number
}

/**
 * Maps are built from one SQL read per show and instance (layout and stored states after reading the
 * show's version), then changed seat by seat by seat events — a hold elsewhere costs this instance a few
 * array writes, never a reload. A hold's lapse needs no event (the views read it by time). What a lost event
 * would leave wrong is bounded by the check: one grouped query of per-section sums compared with the map's
 * own; only a section that differs is read again.
 */
export function createLiveSeatMaps (deps: LiveSeatMapsDeps): LiveSeatMaps {
  const mono = deps.monotonicNow ?? (() => performance.now())
  const checkEveryMs = deps.checkEveryMs ?? 1000
  const maxStaleMs = deps.maxStaleMs ?? 3000
  const idleMs = deps.idleMs ?? 120_000
  const entries = new Map<number, Entry>()
  let sweptAt = mono()

  function open (show: Show): Entry {
    let pending: SeatEvent[] | null = []
    async function load (): Promise<LiveSeatMap> {
      const checkedAt = mono()
      // Redis down: the map can still be read from SQL; its version is caught up by a later check.
      let versionKnown = true
      const version = await deps.events.version(show.id).catch(() => { versionKnown = false; return 0 })
      const [layout, states] = await Promise.all([deps.concerts.findLayout(show.id), deps.concerts.listSeatStates(show.id)])
      if (!layout) throw new Error(`show ${show.id} has no layout`)
      const map = createSeatMap(layout, states, version)
      for (const event of pending ?? []) map.apply(event)
      pending = null
      entry.checkedAt = versionKnown ? checkedAt : Number.NEGATIVE_INFINITY
      entry.live = { map, views: createSeatMapViews(map, { concertId: show.concertId, date: show.date }) }
      return entry.live
    }
    const entry: Entry = {
      showId: show.id,
      readAt: mono(),
      checkedAt: mono(),
      retryAt: 0,
      unsure: false,
      // Listen before reading, so no change between the read and the first event is missed.
      unsubscribe: deps.events.subscribe(show.id, (event) => {
        if (event.status === 'HELD' && event.heldUntil === null) entry.unsure = true
        if (pending) pending.push(event)
        else entry.live?.map.apply(event)
      }),
      ready: load() // touches `entry` only after its first await
    }
    entry.ready.catch(() => { close(entry) })
    return entry
  }

  function close (entry: Entry): void {
    entry.unsubscribe()
    if (entries.get(entry.showId) === entry) entries.delete(entry.showId)
  }

  async function check (entry: Entry, map: SeatMap): Promise<void> {
    const startedAt = mono()
    entry.unsure = false
    // While Redis is down the version cannot be read: the map's own is as far as any known change goes.
    let versionKnown = true
    const upTo = await deps.events.version(entry.showId).catch(() => { versionKnown = false; return map.version })
    const fingerprints = await deps.concerts.sectionFingerprints(entry.showId)
    const mine = new Map(map.fingerprints().map(f => [f.section, f]))
    for (const f of fingerprints) {
      const own = mine.get(f.section)
      if (own && own.sold === f.sold && own.held === f.held && own.soldSum === f.soldSum && own.heldSum === f.heldSum) continue
      map.repair(await deps.concerts.listSeatStates(entry.showId, f.section), upTo)
    }
    if (upTo > map.version) map.version = upTo
    // Without the version, another check follows as soon as the back-off allows (SQL agreed, the version may lag).
    if (versionKnown) entry.checkedAt = startedAt
    else entry.retryAt = mono() + checkEveryMs
  }

  function checkNow (entry: Entry, map: SeatMap): Promise<void> {
    if (!entry.checking) {
      entry.checking = check(entry, map)
        .catch((err: unknown) => {
          entry.retryAt = mono() + checkEveryMs
          deps.log?.('warn', `seat map of show ${entry.showId}: checking it against SQL failed; serving it unchecked meanwhile`, err as Error)
        })
        .finally(() => { entry.checking = undefined })
    }
    return entry.checking
  }

  function sweep (now: number): void {
    if (now - sweptAt < idleMs / 2) return
    sweptAt = now
    for (const entry of [...entries.values()]) if (now - entry.readAt > idleMs) close(entry)
  }

  return {
    async get (show) {
      const now = mono()
      sweep(now)
      let entry = entries.get(show.id)
      if (!entry) {
        entry = open(show)
        entries.set(show.id, entry)
      }
      entry.readAt = now
      const live = await entry.ready
      // This instance's own changes first: a fan who just held a seat here sees it held.
      await deps.events.settled(show.id)
      const at = mono()
      const age = at - entry.checkedAt
      if (at < entry.retryAt) return live
      if (age >= maxStaleMs || entry.unsure) await checkNow(entry, live.map)
      else if (age >= checkEveryMs) void checkNow(entry, live.map)
      return live
    },
    close () {
      for (const entry of [...entries.values()]) close(entry)
    }
  }
}
