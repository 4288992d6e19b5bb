// The concert cache: concerts and dates for a TTL, shows and venue layouts for good, misses never.

import { describe, expect, it } from 'vitest'
import { createCachedConcertRepository } from '../../src/adapters/memory/cached-concerts.js'
import type { ConcertRepository } from '../../src/modules/concerts/concert-repository.js'
import { buildLayout } from '../../src/modules/concerts/concert.js'

function fakeRepository (): ConcertRepository & { reads: number, layoutReads: number } {
  const repo = {
    reads: 0,
    layoutReads: 0,
    async findLayout (showId: number) {
      repo.layoutReads++
      return showId === 7 ? buildLayout({ showId, concertId: 1, noSingleSeatGaps: false }, [{ seatNo: 1, section: 'R', row: '1', rowNo: 0, grade: 'R', price: 100 }]) : null
    },
    async findShow (concertId: number, date: string) { repo.reads++; return date === '2030-01-01' ? { id: 7, concertId, date, startsAt: 0 } : null }
  }
  return repo as unknown as ConcertRepository & { reads: number, layoutReads: number }
}

describe('cached concert repository', () => {
  it('caches found shows for good and never caches a missing one', async () => {
    const inner = fakeRepository()
    const cache = createCachedConcertRepository(inner)
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
    const cache = createCachedConcertRepository(inner, { ttlMs: 1000, monotonicNow: () => t })
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
  it('reads a show\'s layout once for good', async () => {
    const inner = fakeRepository()
    const cache = createCachedConcertRepository(inner)
    expect(await cache.findSeat(7, 1)).toEqual({ seatNo: 1, section: 'R', row: '1', grade: 'R', price: 100 })
    expect(await cache.findSeat(7, 2)).toBeNull()
    expect((await cache.findLayout(7))?.sections).toEqual([{ section: 'R', rows: [{ row: '1', seatNos: [1] }] }])
    expect(inner.layoutReads).toBe(1)
    expect(inner.reads).toBe(0)
  })

  it('never keeps a missing layout: a show created later on another instance is found', async () => {
    const inner = fakeRepository()
    const cache = createCachedConcertRepository(inner)
    expect(await cache.findLayout(8)).toBeNull()
    await new Promise(resolve => setTimeout(resolve, 0))
    expect(await cache.findLayout(8)).toBeNull()
    expect(inner.layoutReads).toBe(2)
  })
})
