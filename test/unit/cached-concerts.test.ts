// The seat-map cache: served from memory until a seat of that show changes or the TTL passes.

import { describe, expect, it } from 'vitest'
import { createCachedConcertRepository } from '../../src/adapters/memory/cached-concerts.js'
import { createMemorySeatEvents } from '../../src/adapters/memory/seat-events.memory.js'
import type { ConcertRepository } from '../../src/modules/concerts/concert-repository.js'
import { buildLayout, type SeatState } from '../../src/modules/concerts/concert.js'

function fakeRepository (): ConcertRepository & { reads: number, layoutReads: number, states: SeatState[] } {
  const repo = {
    reads: 0,
    layoutReads: 0,
    states: [{ seatNo: 1, grade: 'R', price: 100, status: 'AVAILABLE', heldUntil: null }] as SeatState[],
    async listSeatStates () { repo.reads++; return repo.states.map(s => ({ ...s })) },
    async findLayout (showId: number) {
      repo.layoutReads++
      return showId === 7 ? buildLayout({ showId, concertId: 1, noSingleSeatGaps: false }, [{ seatNo: 1, section: 'R', row: '1', rowNo: 0, grade: 'R', price: 100 }]) : null
    },
    async findShow (concertId: number, date: string) { repo.reads++; return date === '2030-01-01' ? { id: 7, concertId, date, startsAt: 0 } : null }
  }
  return repo as unknown as ConcertRepository & { reads: number, layoutReads: number, states: SeatState[] }
}

describe('cached concert repository', () => {
  it('serves a seat map from memory until a seat of that show changes', async () => {
    const inner = fakeRepository()
    const events = createMemorySeatEvents()
    const cache = createCachedConcertRepository(inner, events, { ttlMs: 60_000 })
    await cache.listSeats(7, 0)
    await cache.listSeats(7, 0)
    expect(inner.reads).toBe(1)
    inner.states[0] = { ...inner.states[0], status: 'HELD', heldUntil: 5000 }
    events.publish({ showId: 8, seatNo: 1, status: 'HELD' }) // another show: no effect
    expect((await cache.listSeats(7, 0))[0].status).toBe('AVAILABLE')
    events.publish({ showId: 7, seatNo: 1, status: 'HELD' })
    expect((await cache.listSeats(7, 0))[0].status).toBe('HELD')
    expect(inner.reads).toBe(2)
  })

  it('shows a cached hold as AVAILABLE once its time has passed, without a new read', async () => {
    const inner = fakeRepository()
    inner.states[0] = { ...inner.states[0], status: 'HELD', heldUntil: 5000 }
    const cache = createCachedConcertRepository(inner, createMemorySeatEvents(), { ttlMs: 60_000 })
    expect((await cache.listSeats(7, 4999))[0].status).toBe('HELD')
    expect((await cache.listSeats(7, 5000))[0].status).toBe('AVAILABLE')
    expect(inner.reads).toBe(1)
  })

  it('reads again after the TTL even if no event came', async () => {
    let t = 0
    const inner = fakeRepository()
    const cache = createCachedConcertRepository(inner, createMemorySeatEvents(), { ttlMs: 1000, monotonicNow: () => t })
    await cache.listSeats(7, 0)
    t = 999
    await cache.listSeats(7, 0)
    expect(inner.reads).toBe(1)
    t = 1000
    await cache.listSeats(7, 0)
    expect(inner.reads).toBe(2)
  })

  it('caches found shows for good and never caches a missing one', async () => {
    const inner = fakeRepository()
    const cache = createCachedConcertRepository(inner, createMemorySeatEvents())
    expect(await cache.findShow(1, '2030-01-01')).toMatchObject({ id: 7 })
    expect(await cache.findShow(1, '2030-01-01')).toMatchObject({ id: 7 })
    expect(inner.reads).toBe(1)
    expect(await cache.findShow(1, '2030-02-02')).toBeNull()
    expect(await cache.findShow(1, '2030-02-02')).toBeNull()
    expect(inner.reads).toBe(3)
  })
})

describe('cached concert lookups', () => {
  it('keep a found concert for the TTL only, and never a missing one', async () => {
    let t = 0
    let reads = 0
    const inner = { findConcert: async (id: number) => { reads++; return id === 1 ? { id: 1, title: 'T', venue: 'V', dates: [], salesOpenAt: null } : null } } as unknown as ConcertRepository
    const cache = createCachedConcertRepository(inner, createMemorySeatEvents(), { ttlMs: 1000, monotonicNow: () => t })
    await cache.findConcert(1); await cache.findConcert(1)
    expect(reads).toBe(1)
    t = 1000
    await cache.findConcert(1)
    expect(reads).toBe(2)
    expect(await cache.findConcert(2)).toBeNull()
    await new Promise(resolve => setTimeout(resolve, 0))
    expect(await cache.findConcert(2)).toBeNull()
    expect(reads).toBe(4)
  })
})

describe('cached venue layouts', () => {
  it('reads a show\'s layout once for good, and seat changes do not throw it away', async () => {
    const inner = fakeRepository()
    const events = createMemorySeatEvents()
    const cache = createCachedConcertRepository(inner, events)
    expect(await cache.findSeat(7, 1)).toEqual({ seatNo: 1, section: 'R', row: '1', grade: 'R', price: 100 })
    events.publish({ showId: 7, seatNo: 1, status: 'HELD' })
    expect(await cache.findSeat(7, 2)).toBeNull()
    expect((await cache.findLayout(7))?.sections).toEqual([{ section: 'R', rows: [{ row: '1', seatNos: [1] }] }])
    expect(inner.layoutReads).toBe(1)
    expect(inner.reads).toBe(0)
  })

  it('never keeps a missing layout: a show created later on another instance is found', async () => {
    const inner = fakeRepository()
    const cache = createCachedConcertRepository(inner, createMemorySeatEvents())
    expect(await cache.findLayout(8)).toBeNull()
    await new Promise(resolve => setTimeout(resolve, 0))
    expect(await cache.findLayout(8)).toBeNull()
    expect(inner.layoutReads).toBe(2)
  })
})
