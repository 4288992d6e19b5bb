// Preparation through the service's own API: concerts (admin), admitted users with their queue tokens, charges.

import { expectStatus, forEachLimited, type HttpClient } from './http.js'

export interface CreatedConcert { id: string, dates: string[] }

/** One admin seat range: one row of seats `from..to` (the admin route's body). */
export interface SeatRange { from: number, to: number, grade: string, price: number, section?: string, row?: string }

/**
 * A venue of `sections` sections nearest the stage first, each of `rowsPerSection` rows of `seatsPerRow`
 * seats, numbered from 1 in that order; the nearer a section, the dearer its grade (VIP, R, S, A by quarters).
 */
export function sectionedVenue (o: { sections: number, rowsPerSection: number, seatsPerRow: number, basePrice: number }): SeatRange[] {
  const grades = [{ grade: 'VIP', factor: 4 }, { grade: 'R', factor: 3 }, { grade: 'S', factor: 2 }, { grade: 'A', factor: 1 }]
  const ranges: SeatRange[] = []
  let next = 1
  for (let s = 0; s < o.sections; s++) {
    const g = grades[Math.min(grades.length - 1, Math.floor((s * grades.length) / o.sections))]
    const section = `S${String(s + 1).padStart(2, '0')}`
    for (let r = 0; r < o.rowsPerSection; r++) {
      ranges.push({ from: next, to: next + o.seatsPerRow - 1, grade: g.grade, price: o.basePrice * g.factor, section, row: String(r + 1) })
      next += o.seatsPerRow
    }
  }
  return ranges
}

/** Section names of a venue, in the admin's order. */
export const sectionsOf = (ranges: SeatRange[]): string[] => [...new Set(ranges.map(r => r.section ?? r.grade))]

export interface ConcertSpec {
  title: string
  shows: number
  /** One range 1..seats of grade R at `price` when no `layout` is given. */
  seats: number
  price: number
  firstDay?: number
  /** Every show's seat ranges (rows in sections); overrides `seats` and `price`. */
  layout?: SeatRange[]
  noSingleSeatGaps?: boolean
}

/** A concert with `shows` dates (from `firstDay` days ahead), each with `layout`, or `seats` seats at `price` won. */
export async function createConcert (client: HttpClient, adminBearer: string, o: ConcertSpec): Promise<CreatedConcert> {
  const day = 24 * 3600_000
  const base = Date.now() + (o.firstDay ?? 30) * day
  const seats = o.layout ?? [{ from: 1, to: o.seats, grade: 'R', price: o.price }]
  const shows = Array.from({ length: o.shows }, (_, i) => {
    const date = new Date(base + i * day).toISOString().slice(0, 10)
    return { date, startsAt: `${date}T10:00:00.000Z`, seats, ...(o.noSingleSeatGaps === undefined ? {} : { noSingleSeatGaps: o.noSingleSeatGaps }) }
  })
  const r = await client.request<{ id: string, dates: string[] }>('POST', '/admin/concerts', {
    headers: { authorization: adminBearer },
    body: { title: o.title, venue: 'Bench Arena', shows }
  })
  const body = expectStatus(r, 201, `creating concert "${o.title}"`)
  return { id: body.id, dates: body.dates }
}

/**
 * Puts every user in the concert's queue and waits until each is ACTIVE (the phase runs with a large
 * QUEUE_MAX_ACTIVE, so that is at once); returns each user's queue token, in the order of `userIds`.
 */
export async function admitUsers (client: HttpClient, concertId: string, userIds: string[], bearer: (userId: string) => string, concurrency = 32): Promise<string[]> {
  const tokens: string[] = new Array(userIds.length)
  await forEachLimited(userIds, concurrency, async (userId, i) => {
    const headers = { authorization: bearer(userId) }
    let t = expectStatus(await client.request<{ token: string, status: string }>('POST', '/queue/tokens', { headers, body: { concertId } }), [200, 201], `joining concert ${concertId} as ${userId}`)
    for (let tries = 0; t.status !== 'ACTIVE'; tries++) {
      if (tries > 100) throw new Error(`${userId} was not admitted to concert ${concertId} (is QUEUE_MAX_ACTIVE large enough?)`)
      await new Promise(resolve => setTimeout(resolve, 200))
      t = expectStatus(await client.request<{ token: string, status: string }>('GET', '/queue/tokens/current', { headers: { ...headers, 'queue-token': t.token } }), 200, `polling as ${userId}`)
    }
    tokens[i] = t.token
  })
  return tokens
}

/** Puts users in the queue without waiting for admission (some ACTIVE, the rest WAITING). */
export async function joinUsers (client: HttpClient, concertId: string, userIds: string[], bearer: (userId: string) => string, concurrency = 32): Promise<string[]> {
  const tokens: string[] = new Array(userIds.length)
  await forEachLimited(userIds, concurrency, async (userId, i) => {
    const t = expectStatus(await client.request<{ token: string }>('POST', '/queue/tokens', { headers: { authorization: bearer(userId) }, body: { concertId } }), [200, 201], `joining concert ${concertId} as ${userId}`)
    tokens[i] = t.token
  })
  return tokens
}

export async function chargeUser (client: HttpClient, userId: string, bearerHeader: string, amount: number): Promise<number> {
  const r = await client.request<{ balance: number }>('POST', `/users/${userId}/points/charge`, { headers: { authorization: bearerHeader }, body: { amount } })
  return expectStatus(r, 200, `charging ${userId}`).balance
}
