// The cached seat supply behind the waiting room's sold-out state: one read a second in a rush, fresh near the end.

import { describe, expect, it } from 'vitest'
import { createCachedSeatSupply } from '../../src/adapters/memory/seat-supply.memory.js'
import type { ShowSales } from '../../src/modules/concerts/concert.js'

const NOW = Date.parse('2026-12-01T00:00:00.000Z')

function countingRepository (figures: { available: number, held: number }) {
  let reads = 0
  return {
    get reads () { return reads },
    figures,
    async salesByShow (): Promise<ShowSales[]> {
      reads++
      return [{ showId: 1, date: '2026-12-24', startsAt: NOW + 86_400_000, totalSeats: 100, sold: 0, held: figures.held, available: figures.available, revenue: 0, refunds: 0, refunded: 0 }]
    }
  }
}

describe('cached seat supply', () => {
  it('answers a fresh read after a sale from the cache while many seats are still for sale or held', async () => {
    const repo = countingRepository({ available: 500, held: 40 })
    const supply = createCachedSeatSupply(repo)
    await supply.forSale(7, NOW)
    for (let i = 1; i <= 20; i++) expect(await supply.forSale(7, NOW + i, true)).toEqual({ available: 500, held: 40 })
    expect(repo.reads).toBe(1)
  })

  it('reads afresh after a sale near the end, so the room closes with the last seat', async () => {
    const repo = countingRepository({ available: 0, held: 3 })
    const supply = createCachedSeatSupply(repo)
    await supply.forSale(7, NOW)
    repo.figures.held = 0
    expect(await supply.forSale(7, NOW + 5, true)).toEqual({ available: 0, held: 0 })
    expect(repo.reads).toBe(2)
  })

  it('reads again once the cached figures are a second old', async () => {
    const repo = countingRepository({ available: 500, held: 0 })
    const supply = createCachedSeatSupply(repo)
    await supply.forSale(7, NOW)
    repo.figures.available = 499
    expect(await supply.forSale(7, NOW + 1000)).toEqual({ available: 499, held: 0 })
  })
})
