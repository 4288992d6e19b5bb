// SeatSupply from the concert repository's sales figures, kept per concert for a moment (every tick of every instance asks).

import type { ConcertRepository } from '../../modules/concerts/concert-repository.js'
import type { SeatSupply } from '../../modules/queue/seat-supply.js'

type Supply = { available: number, held: number }

/** Figures at most `ttlMs` old by the caller's clock; concurrent askers share one read. */
export function createCachedSeatSupply (concerts: Pick<ConcertRepository, 'salesByShow'>, options: { ttlMs?: number } = {}): SeatSupply {
  const ttlMs = options.ttlMs ?? 1000
  const cache = new Map<number, { at: number, supply: Promise<Supply> }>()
  return {
    async forSale (concertId, now) {
      const hit = cache.get(concertId)
      if (hit && now - hit.at < ttlMs && now >= hit.at) return hit.supply
      const supply = concerts.salesByShow(concertId, now).then(shows => shows
        .filter(s => s.startsAt > now)
        .reduce((sum, s) => ({ available: sum.available + s.available, held: sum.held + s.held }), { available: 0, held: 0 }))
      const entry = { at: now, supply }
      cache.set(concertId, entry)
      supply.catch(() => { if (cache.get(concertId) === entry) cache.delete(concertId) })
      return supply
    }
  }
}
