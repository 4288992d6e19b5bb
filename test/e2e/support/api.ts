// The service's API straight from the test (no browser): set-up a test's subject is not about, e.g. a sold-out show.

export interface SeatRange { from: number, to: number, grade: string, price: number, section?: string, row?: string }

export interface ConcertOptions {
  /** Days from now of each show (10 by default); each starts at 10:00 UTC of its date unless `startsAt` says. */
  daysAhead?: number[]
  /** The first show's start instead (ISO); its date is that instant's UTC date. */
  startsAt?: string
  salesOpenAt?: string
  noSingleSeatGaps?: boolean
}

export interface ShowOf { concertId: string, date: string, dates: string[] }

export interface Api {
  token (userId: string, role?: 'admin'): Promise<string>
  charge (userId: string, amount: number): Promise<void>
  /**
   * Creates a concert; `seats` is a number (seats 1..n, grade R, ₩100,000 each, one row) or the seat ranges
   * (each range one row). The show of `date` is the first one.
   */
  createConcert (title: string, seats: number | SeatRange[], options?: ConcertOptions): Promise<ShowOf>
  /** Joins the concert's queue: the queue view (token, status, tokenId). */
  join (userId: string, concertId: string): Promise<{ token: string, status: string, tokenId: string }>
  /** Queues (must be admitted at once), holds the seats and, unless told otherwise, pays for them; the last hold's id. */
  buy (userId: string, show: { concertId: string, date: string }, seatNos: number[], options?: { pay?: boolean, together?: boolean }): Promise<string>
  refund (userId: string, reservationId: string): Promise<void>
}

async function call<T> (baseUrl: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${text}`)
  return (text ? JSON.parse(text) : undefined) as T
}

const dateIn = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10)

export function apiOf (baseUrl: string): Api {
  const token = async (userId: string, role?: 'admin') =>
    (await call<{ accessToken: string }>(baseUrl, 'POST', '/auth/token', role ? { userId, role } : { userId })).accessToken
  const bearer = async (userId: string) => ({ authorization: `Bearer ${await token(userId)}` })
  const join = async (userId: string, concertId: string) =>
    await call<{ token: string, status: string, tokenId: string }>(baseUrl, 'POST', '/queue/tokens', { concertId }, await bearer(userId))
  return {
    token,
    join,
    async charge (userId, amount) {
      await call(baseUrl, 'POST', `/users/${userId}/points/charge`, { amount }, await bearer(userId))
    },
    async createConcert (title, seats, options = {}) {
      const ranges = typeof seats === 'number' ? [{ from: 1, to: seats, grade: 'R', price: 100_000 }] : seats
      const starts = options.startsAt
        ? [options.startsAt]
        : (options.daysAhead ?? [10]).map(days => `${dateIn(days)}T10:00:00.000Z`)
      const shows = starts.map(startsAt => ({
        date: startsAt.slice(0, 10), startsAt, seats: ranges, ...(options.noSingleSeatGaps ? { noSingleSeatGaps: true } : {})
      }))
      const admin = { authorization: `Bearer ${await token('e2e-admin', 'admin')}` }
      const created = await call<{ id: string }>(baseUrl, 'POST', '/admin/concerts', {
        title, venue: 'Test Hall, Seoul', ...(options.salesOpenAt ? { salesOpenAt: options.salesOpenAt } : {}), shows
      }, admin)
      return { concertId: created.id, date: shows[0].date, dates: shows.map(s => s.date) }
    },
    async buy (userId, show, seatNos, options = {}) {
      const auth = await bearer(userId)
      const ticket = await join(userId, show.concertId)
      if (ticket.status !== 'ACTIVE') throw new Error(`${userId} was not admitted at once (${ticket.status})`)
      const queue = { ...auth, 'queue-token': ticket.token }
      // Hold every seat first (paying lapses the queue token): one by one, or as one order.
      const held: Array<{ id: string, price: number }> = []
      if (options.together) held.push(await call(baseUrl, 'POST', '/reservations', { date: show.date, seatNos }, queue))
      else for (const seatNo of seatNos) held.push(await call(baseUrl, 'POST', '/reservations', { date: show.date, seatNo }, queue))
      if (options.pay !== false) {
        await call(baseUrl, 'POST', `/users/${userId}/points/charge`, { amount: held.reduce((sum, h) => sum + h.price, 0) }, auth)
        for (const hold of held) await call(baseUrl, 'POST', `/reservations/${hold.id}/pay`, undefined, auth)
      }
      return held[held.length - 1].id
    },
    async refund (userId, reservationId) {
      await call(baseUrl, 'POST', `/reservations/${reservationId}/refund`, undefined, await bearer(userId))
    }
  }
}
