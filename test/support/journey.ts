// Small steps of a fan's journey, shared by the HTTP tests.

import type { TestApp } from './app.js'

/** The demo concert's id and its first show date. */
export async function demoShow (t: TestApp): Promise<{ concertId: string, date: string, dates: string[] }> {
  const res = await t.req('GET', '/concerts')
  const concert = res.json().concerts[0] as { id: string, dates: string[] }
  return { concertId: concert.id, date: concert.dates[0], dates: concert.dates }
}

/** Joins the queue and returns bearer + Queue-Token headers (ACTIVE when QUEUE_MAX_ACTIVE allows). */
export async function joinQueue (t: TestApp, userId: string, concertId: string): Promise<{ headers: Record<string, string>, ticket: Record<string, unknown> }> {
  const bearer = t.as(userId)
  const res = await t.req('POST', '/queue/tokens', { headers: bearer, body: { concertId } })
  if (res.statusCode !== 201 && res.statusCode !== 200) throw new Error(`join failed: ${res.statusCode} ${res.body}`)
  const ticket = res.json()
  return { headers: { ...bearer, 'queue-token': ticket.token }, ticket }
}

export async function charge (t: TestApp, userId: string, amount: number, extra: Record<string, string> = {}): Promise<number> {
  const res = await t.req('POST', `/users/${userId}/points/charge`, { headers: { ...t.as(userId), ...extra }, body: { amount } })
  if (res.statusCode !== 200) throw new Error(`charge failed: ${res.statusCode} ${res.body}`)
  return res.json().balance
}

export async function hold (t: TestApp, headers: Record<string, string>, date: string, seatNo: number): Promise<{ statusCode: number, body: Record<string, unknown> }> {
  const res = await t.req('POST', '/reservations', { headers, body: { date, seatNo } })
  return { statusCode: res.statusCode, body: res.json() }
}

export const countBy = <T>(xs: T[], key: (x: T) => string | number): Record<string, number> =>
  xs.reduce<Record<string, number>>((acc, x) => { const k = String(key(x)); acc[k] = (acc[k] ?? 0) + 1; return acc }, {})
