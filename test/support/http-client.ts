// An HTTP client for tests against real service processes: one call, parsed replies, signed bearers, fans' steps.

import { createAuth } from '../../src/http/auth.js'

/** The JWT secret every service process in the tests gets, so tests can sign bearers as an identity provider would. */
export const CLUSTER_SECRET = 'cluster-test-secret-that-is-at-least-32-bytes'

/** A response as tests read it: status, headers and the parsed JSON body (or the text). */
export interface Reply {
  status: number
  headers: Headers
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read whatever shape the contract says
  body: any
  text: string
  ms: number
}

export interface CallOptions { headers?: Record<string, string>, body?: unknown, timeoutMs?: number }

/** One HTTP request; network errors (refused, reset, timeout) are thrown. */
export async function call (baseUrl: string, method: string, path: string, options: CallOptions = {}): Promise<Reply> {
  const started = Date.now()
  const headers: Record<string, string> = { ...options.headers }
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(baseUrl + path, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000)
  })
  const text = await res.text()
  let body: unknown = text
  if (/json/.test(res.headers.get('content-type') ?? '') && text !== '') body = JSON.parse(text)
  return { status: res.status, headers: res.headers, body, text, ms: Date.now() - started }
}

const auth = createAuth(CLUSTER_SECRET)

/** Authorization header of a user, signed with the cluster's secret (what an identity provider would do). */
export function bearer (userId: string, role?: 'admin'): Record<string, string> {
  return { authorization: `Bearer ${auth.sign(userId, role).accessToken}` }
}


/** The demo show dates (soonest first), read through `baseUrl`. */
export async function demoDates (baseUrl: string): Promise<{ concertId: string, dates: string[] }> {
  const r = await call(baseUrl, 'GET', '/concerts/dates')
  if (r.status !== 200 || r.body.dates.length === 0) throw new Error(`no bookable dates: ${r.status} ${r.text}`)
  return { concertId: r.body.dates[0].concertId as string, dates: (r.body.dates as Array<{ date: string }>).map(d => d.date) }
}

/** Joins the waiting room; returns the ticket (status, position, token). */
export async function joinQueue (baseUrl: string, userId: string, concertId: string): Promise<Reply> {
  return call(baseUrl, 'POST', '/queue/tokens', { headers: bearer(userId), body: { concertId } })
}

/** Headers for an admitted user's requests: bearer plus Queue-Token. */
export const admitted = (userId: string, token: string): Record<string, string> => ({ ...bearer(userId), 'queue-token': token })
