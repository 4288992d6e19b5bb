// The service's API straight from the test (no browser): set-up a test's subject is not about, e.g. a sold-out show.

export interface Api {
  token (userId: string, role?: 'admin'): Promise<string>
  charge (userId: string, amount: number): Promise<void>
  /** Creates a concert with one show `daysAhead` days from now and seats 1..seats (grade R, ₩100,000 each). */
  createConcert (title: string, seats: number, daysAhead?: number): Promise<{ concertId: string, date: string }>
  /** Queues (must be admitted at once), holds the seats and, unless told otherwise, pays for them; the last hold's id. */
  buy (userId: string, show: { concertId: string, date: string }, seatNos: number[], options?: { pay?: boolean }): Promise<string>
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

export function apiOf (baseUrl: string): Api {
  const token = async (userId: string, role?: 'admin') =>
    (await call<{ accessToken: string }>(baseUrl, 'POST', '/auth/token', role ? { userId, role } : { userId })).accessToken
  const bearer = async (userId: string) => ({ authorization: `Bearer ${await token(userId)}` })
  return {
    token,
    async charge (userId, amount) {
      await call(baseUrl, 'POST', `/users/${userId}/points/charge`, { amount }, await bearer(userId))
    },
    async createConcert (title, seats, daysAhead = 10) {
      const date = new Date(Date.now() + daysAhead * 86_400_000).toISOString().slice(0, 10)
      const admin = { authorization: `Bearer ${await token('e2e-admin', 'admin')}` }
      const created = await call<{ id: string }>(baseUrl, 'POST', '/admin/concerts', {
        title, venue: 'Test Hall, Seoul', shows: [{ date, startsAt: `${date}T10:00:00.000Z`, seats: [{ from: 1, to: seats, grade: 'R', price: 100_000 }] }]
      }, admin)
      return { concertId: created.id, date }
    },
    async buy (userId, show, seatNos, options = {}) {
      const auth = await bearer(userId)
      const ticket = await call<{ token: string, status: string }>(baseUrl, 'POST', '/queue/tokens', { concertId: show.concertId }, auth)
      if (ticket.status !== 'ACTIVE') throw new Error(`${userId} was not admitted at once (${ticket.status})`)
      const queue = { ...auth, 'queue-token': ticket.token }
      // Hold every seat first: paying lapses the queue token.
      const held: Array<{ id: string, price: number }> = []
      for (const seatNo of seatNos) held.push(await call(baseUrl, 'POST', '/reservations', { date: show.date, seatNo }, queue))
      if (options.pay !== false) {
        await call(baseUrl, 'POST', `/users/${userId}/points/charge`, { amount: held.reduce((sum, h) => sum + h.price, 0) }, auth)
        for (const hold of held) await call(baseUrl, 'POST', `/reservations/${hold.id}/pay`, undefined, auth)
      }
      const last = held[held.length - 1].id
      return last
    }
  }
}
