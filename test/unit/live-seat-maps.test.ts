// Unit: live seat maps over SQLite in memory — one read per show, kept by events, checked against SQL on a manual clock.

import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createMemorySeatEvents } from '../../src/adapters/memory/seat-events.memory.js'
import type { Show } from '../../src/modules/concerts/concert.js'
import type { ConcertRepository } from '../../src/modules/concerts/concert-repository.js'
import { createLiveSeatMaps, type LiveSeatMaps } from '../../src/modules/concerts/live-seat-maps.js'
import type { SeatEvents } from '../../src/modules/reservations/seat-events.js'
import { T0, givenConcert, givenHold, newUserId, openSqlWorld, type SqlWorld } from '../support/factories.js'

describe('live seat maps', () => {
  let w: SqlWorld
  let show: Show
  let events: SeatEvents
  let maps: LiveSeatMaps
  let t: number
  const reads: string[] = []

  /** The SQL repository, noting every read the maps make. */
  function counted (inner: ConcertRepository): ConcertRepository {
    return {
      ...inner,
      async findLayout (showId) { reads.push('layout'); return inner.findLayout(showId) },
      async listSeatStates (showId, section) { reads.push(section === undefined ? 'show' : `section ${section}`); return inner.listSeatStates(showId, section) },
      async sectionFingerprints (showId) { reads.push('fingerprints'); return inner.sectionFingerprints(showId) }
    }
  }

  /** Holds a seat in SQL as the use case does; `publish: false` plays a change whose event was lost. */
  async function hold (seatNo: number, heldUntil: number, publish = true): Promise<void> {
    await givenHold(w, show, [seatNo], newUserId(), heldUntil)
    if (publish) events.publish({ showId: show.id, seatNo, status: 'HELD', heldUntil })
  }

  const statuses = async (section?: string): Promise<string> =>
    (JSON.parse((await maps.get(show)).views.seats(T0, section)?.body.toString() ?? '{}') as { seats: Array<{ status: string }> }).seats.map(s => s.status[0]).join('')

  beforeEach(async () => {
    w = await openSqlWorld('sqlite')
    ;({ show } = await givenConcert(w.concerts, {
      ranges: [{ from: 1, to: 4, grade: 'R', price: 1, section: 'A' }, { from: 5, to: 8, grade: 'S', price: 1, section: 'B' }]
    }))
    events = createMemorySeatEvents()
    t = 0
    reads.length = 0
    maps = createLiveSeatMaps({ concerts: counted(w.concerts), events, monotonicNow: () => t, checkEveryMs: 1000, maxStaleMs: 3000, idleMs: 60_000 })
  })
  afterEach(async () => { maps.close(); await w.close() })

  it('reads a show once, then follows seat events without reading SQL again', async () => {
    expect(await statuses()).toBe('AAAAAAAA')
    await hold(2, T0 + 60_000)
    await hold(6, T0 + 60_000)
    events.publish({ showId: show.id, seatNo: 6, status: 'SOLD' })
    expect(await statuses()).toBe('AHAAASAA')
    expect(await statuses('B')).toBe('ASAA')
    expect(reads).toEqual(['layout', 'show'])
    expect((await maps.get(show)).map.version).toBe(3)
  })

  it('takes a change made while it was loading', async () => {
    const loading = maps.get(show) // reads the version, then SQL
    events.publish({ showId: show.id, seatNo: 1, status: 'SOLD' })
    await loading
    expect(await statuses()).toBe('SAAAAAAA')
  })

  it('checks against SQL in the background once a check is due, reading no section that agrees', async () => {
    await statuses()
    await hold(3, T0 + 60_000)
    t = 1000
    await statuses()
    await new Promise(resolve => setTimeout(resolve, 10))
    expect(reads).toEqual(['layout', 'show', 'fingerprints'])
  })

  it('repairs a change whose event was lost, reading only that section, within the staleness bound', async () => {
    await statuses()
    await hold(7, T0 + 60_000, false)
    t = 2999
    expect(await statuses('B')).toBe('AAAA') // not yet checked: the lost event is not known
    await new Promise(resolve => setTimeout(resolve, 10)) // …but that read started a check in the background
    expect(await statuses('B')).toBe('AAHA')
    expect(reads).toEqual(['layout', 'show', 'fingerprints', 'section B'])
    await hold(1, T0 + 60_000, false)
    t = 6000 // past maxStaleMs since the last check: the read waits for one
    expect(await statuses('A')).toBe('HAAA')
  })

  it('keeps a seat that changed after the check\'s snapshot was read, and takes the show\'s version from the check', async () => {
    let racing = false
    const racy = createLiveSeatMaps({
      concerts: {
        ...w.concerts,
        // A payment commits and publishes right after the check read section B: its snapshot lacks it.
        async listSeatStates (showId, section) {
          const snapshot = await w.concerts.listSeatStates(showId, section)
          if (racing && section === 'B') events.publish({ showId, seatNo: 8, status: 'SOLD' })
          return snapshot
        }
      },
      events, monotonicNow: () => t
    })
    await racy.get(show)
    await hold(5, T0 + 60_000, false) // lost: the check will read section B
    racing = true
    t = 5000
    const live = await racy.get(show)
    expect(live.views.seats(T0, 'B')?.body.toString()).toMatch(/"seatNo":5,[^}]*"HELD".*"seatNo":8,[^}]*"SOLD"/)
    expect(live.map.version).toBe(1)
    racy.close()
  })

  it('checks a hold published without its lapse time against SQL on the next read, so it still lapses by time', async () => {
    await statuses()
    await hold(4, T0 + 1000, false)
    events.publish({ showId: show.id, seatNo: 4, status: 'HELD' }) // no heldUntil
    const live = await maps.get(show)
    expect(reads).toEqual(['layout', 'show', 'fingerprints', 'section A'])
    expect(live.views.seats(T0 + 999, 'A')?.body.toString()).toContain('"seatNo":4,"section":"A","row":"1","grade":"R","price":1,"status":"HELD"')
    expect(live.views.seats(T0 + 1000, 'A')?.body.toString()).not.toContain('HELD')
  })

  it('serves the map unchecked while SQL is down, and checks again later', async () => {
    await statuses()
    const failing = createLiveSeatMaps({
      concerts: { ...counted(w.concerts), sectionFingerprints: async () => { reads.push('failed'); throw new Error('SQL is down') } },
      events, monotonicNow: () => t, checkEveryMs: 1000, maxStaleMs: 3000
    })
    await failing.get(show)
    t = 4000
    await failing.get(show)
    t = 4500
    await failing.get(show) // within checkEveryMs of the failure: no new attempt
    t = 5001
    await failing.get(show)
    await new Promise(resolve => setTimeout(resolve, 10))
    expect(reads.filter(r => r === 'failed')).toHaveLength(2)
    failing.close()
  })

  it('reads a map from SQL while the show\'s version cannot be read, and catches the version up once it can', async () => {
    events.publish({ showId: show.id, seatNo: 1, status: 'SOLD' }) // version 1
    let down = true
    const outage = createLiveSeatMaps({
      concerts: w.concerts,
      events: { ...events, version: async (showId) => { if (down) throw new Error('Redis is down'); return events.version(showId) } },
      monotonicNow: () => t
    })
    expect((await outage.get(show)).map.version).toBe(0)
    down = false
    t = 1000 // the check after a failed version read waits for the back-off
    expect((await outage.get(show)).map.version).toBe(1)
    outage.close()
  })

  it('forgets a show nobody read for a while and stops listening to it', async () => {
    let listening = 0
    const counting: SeatEvents = { ...events, subscribe (showId, listener) { listening++; const stop = events.subscribe(showId, listener); return () => { listening--; stop() } } }
    const idle = createLiveSeatMaps({ concerts: w.concerts, events: counting, monotonicNow: () => t, idleMs: 10_000 })
    await idle.get(show)
    expect(listening).toBe(1)
    t = 30_000
    const other = (await givenConcert(w.concerts, { dates: ['2026-12-26'] })).show
    await idle.get(other) // a later read sweeps idle maps
    expect(listening).toBe(1)
    idle.close()
    expect(listening).toBe(0)
  })

  it('does not keep a failed load: the next read tries again', async () => {
    let fail = true
    const flaky = createLiveSeatMaps({
      concerts: { ...w.concerts, async listSeatStates (showId, section) { if (fail) throw new Error('SQL hiccup'); return w.concerts.listSeatStates(showId, section) } },
      events, monotonicNow: () => t
    })
    await expect(flaky.get(show)).rejects.toThrow('SQL hiccup')
    fail = false
    await expect(flaky.get(show)).resolves.toMatchObject({ map: { showId: show.id } })
    flaky.close()
  })
})
