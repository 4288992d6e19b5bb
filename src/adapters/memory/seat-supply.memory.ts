// SeatSupply from the concert repository's sales figures, kept per concert until a seat of it changes (or a moment passes).

import type { ConcertRepository } from '../../modules/concerts/concert-repository.js'
import type { SeatSupply } from '../../modules/queue/seat-supply.js'
import type { SeatEvents } from '../../modules/reservations/seat-events.js'

type Supply = { available: number, held: number }

/** Below this many seats for sale or held, any seat change of the concert drops the cached figures. */
const NEAR_SOLD_OUT = 10

/**
 * Figures at most `ttlMs` old by the caller's clock; concurrent askers share one read. With `events`, near
 * the end of a sale (or once sold out) a change of any seat of the concert — a hold, a sale, a lapse, a
 * refund, from any instance — drops them at once, so a room closes as soon as its last seat is sold and
 * reopens as soon as one comes back; in the thick of a rush seat changes leave them be (one read a
 * second, not one per hold).
 */
export function createCachedSeatSupply (concerts: Pick<ConcertRepository, 'salesByShow'>, options: { ttlMs?: number, events?: SeatEvents } = {}): SeatSupply {
  const ttlMs = options.ttlMs ?? 1000
  const cache = new Map<number, { at: number, supply: Promise<Supply> }>()
  const watched = new Set<number>()
  return {
    async forSale (concertId, now, fresh = false) {
      const hit = cache.get(concertId)
      if (hit && now - hit.at < ttlMs && now >= hit.at) {
        if (!fresh) return hit.supply
        // A fresh read matters only near the end: a sale moves seats from held to sold, so with more than a
        // handful left for sale or held it cannot have been the last one (and reading every seat of the
        // concert after every payment was the largest cost of a payment in the arena bench).
        const cached = await hit.supply.catch(() => null)
        if (cached && cached.available + cached.held > NEAR_SOLD_OUT) return cached
      }
      const supply = concerts.salesByShow(concertId, now).then((shows) => {
        for (const s of shows) {
          if (!options.events || watched.has(s.showId)) continue
          watched.add(s.showId)
          options.events.subscribe(s.showId, () => {
            const cached = cache.get(concertId)
            if (cached) void cached.supply.then(x => { if (x.available + x.held <= NEAR_SOLD_OUT && cache.get(concertId) === cached) cache.delete(concertId) }, () => {})
          })
        }
        return shows.filter(s => s.startsAt > now).reduce((sum, s) => ({ available: sum.available + s.available, held: sum.held + s.held }), { available: 0, held: 0 })
      })
      const entry = { at: now, supply }
      cache.set(concertId, entry)
      supply.catch(() => { if (cache.get(concertId) === entry) cache.delete(concertId) })
      return supply
    }
  }
}
