// The service's HTTP API as typed functions; every failure becomes an ApiError carrying the problem's stable code.

import { session } from './session'

export type SeatStatus = 'AVAILABLE' | 'HELD' | 'SOLD'
export type ReservationStatus = 'HELD' | 'CONFIRMED' | 'CANCELLED' | 'EXPIRED' | 'REFUNDED'
export type QueueStatus = 'WAITING' | 'ACTIVE' | 'PREQUEUE' | 'SOLD_OUT'

// Fields marked optional are in docs/API.md but not sent by every server version yet: the app works without them.
export interface Concert { id: string, title: string, venue: string, dates: string[], salesOpenAt?: string | null }
export interface ShowDate { concertId: string, concertTitle: string, date: string, startsAt: string, totalSeats: number, availableSeats: number }
export interface QueueTicket {
  token: string, concertId: string, status: QueueStatus, position: number | null, estimatedWaitSeconds: number, activeUntil: string | null
  tokenId?: string, refreshAfterMs?: number | null, estimatedWaitRange?: { p50: number, p90: number } | null, soldOutLikely?: boolean
  drawKey?: string | null
}
/** A concert's opening draw: the commitment from the start; the seed and the sorted keys once it ran. */
export interface Draw { drawCommitment: string, seed: string | null, drawnAt: string | null, entries: string[] | null }
export interface Seat { seatNo: number, grade: string, price: number, status: SeatStatus, section?: string, row?: string }
export interface SeatMap { concertId: string, date: string, seats: Seat[], version?: number }
export interface SectionSummary { section: string, grades: string[], priceMin: number, priceMax: number, totalSeats: number, availableSeats: number }
export interface SectionList { concertId: string, date: string, version: number, sections: SectionSummary[] }
/** What a hold asks for: these seats, or the best `quantity` side by side (within a section or grade). */
export type HoldRequest = { seatNos: number[] } | { quantity: number, section?: string, grade?: string }
export interface Refund { reservationId: string, amount: number, balance: number, status: 'REFUNDED', refundedAt: string }
export interface SeatEvent { seatNo: number, status: SeatStatus, section?: string, version?: number }
export interface ReservedSeat { seatNo: number, section?: string, row?: string, grade: string, price: number }
export interface Reservation {
  id: string, userId: string, concertId: string, date: string, seatNo: number, price: number,
  status: ReservationStatus, heldUntil: string, paidAt?: string | null
  seatNos?: number[], seats?: ReservedSeat[], refundedAt?: string | null
}
export interface Balance { userId: string, balance: number }
export interface PointItem { id: string, type: 'CHARGE' | 'USE' | 'REFUND', amount: number, balanceAfter: number, reservationId?: string | null, createdAt: string }
export interface PointHistory { items: PointItem[], nextCursor: string | null }
export interface Payment { paymentId: string, reservationId: string, amount: number, balance: number, status: 'CONFIRMED', paidAt: string }
export interface AccessToken { accessToken: string, expiresAt: string }

/** The seats of a reservation: every seat of a multi-seat order, or the one seat of an older server. */
export function seatNosOf (reservation: Reservation): number[] {
  return reservation.seatNos && reservation.seatNos.length > 0 ? reservation.seatNos : [reservation.seatNo]
}

/** A failed API call: `code` is the problem's stable code, or NETWORK / SERVER / UNKNOWN when there was none. */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly requestId: string | null
  readonly retryAfter: number | null
  /** The problem document's other members (e.g. `unavailable` seats of a SEAT_UNAVAILABLE). */
  readonly problem: Record<string, unknown>

  constructor (status: number, code: string, detail: string, requestId: string | null, retryAfter: number | null = null, problem: Record<string, unknown> = {}) {
    super(detail)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.requestId = requestId
    this.retryAfter = retryAfter
    this.problem = problem
  }
}

/** Difference between the server's clock and ours (ms), learnt from the Date header; used by countdowns. */
let serverSkewMs = 0
export function serverNow (): number { return Date.now() + serverSkewMs }

function learnSkew (response: Response): void {
  const date = response.headers.get('date')
  if (!date) return
  const skew = Date.parse(date) - Date.now()
  // The header has one-second resolution: only trust it when the clocks are clearly apart.
  if (Number.isFinite(skew)) serverSkewMs = Math.abs(skew) > 2000 ? skew : 0
}

interface RequestOptions {
  body?: unknown
  headers?: Record<string, string>
  auth?: boolean
  queueToken?: string
  idempotencyKey?: string
  signal?: AbortSignal
  onResponse?: (response: Response) => void
}

/** The headers every call sends: JSON, the bearer (unless auth is false) and a queue token when given. */
export function apiHeaders (options: { auth?: boolean, queueToken?: string, accept?: string } = {}): Record<string, string> {
  const headers: Record<string, string> = { accept: options.accept ?? 'application/json' }
  const current = session()
  if (options.auth !== false && current) headers.authorization = `Bearer ${current.accessToken}`
  if (options.queueToken) headers['queue-token'] = options.queueToken
  return headers
}

async function request<T> (method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers = apiHeaders(options)
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey
  Object.assign(headers, options.headers)

  let response: Response
  try {
    response = await fetch(path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
      cache: 'no-store'
    })
  } catch (error) {
    if (isAbort(error)) throw error
    throw new ApiError(0, 'NETWORK', String(error), null)
  }
  learnSkew(response)
  options.onResponse?.(response)
  if (response.ok) {
    if (response.status === 204) return undefined as T
    return await response.json() as T
  }
  if (response.status === 304) return NOT_MODIFIED as T
  throw await failure(response, options.auth !== false)
}

const NOT_MODIFIED = Symbol('not modified')

/** A copy read before, with the ETag it came with (per URL and user: a seat map re-read costs a 304 when unchanged). */
const tagged = new Map<string, { etag: string, value: unknown }>()

export interface Fresh<T> { value: T, /** false when the server answered 304: the copy we had is still current. */ changed: boolean }

/** GET with If-None-Match from the last copy of path: the body of a 200, or that copy again after a 304. */
async function getTagged<T> (path: string, options: RequestOptions): Promise<Fresh<T>> {
  const key = `${session()?.userId ?? ''} ${path}`
  const known = tagged.get(key)
  let etag: string | null = null
  const value = await request<T | typeof NOT_MODIFIED>('GET', path, {
    ...options,
    headers: known ? { 'if-none-match': known.etag } : undefined,
    onResponse: (response) => { etag = response.headers.get('etag') }
  })
  if (value === NOT_MODIFIED) {
    if (known) return { value: known.value as T, changed: false }
    // A 304 for a tag we never sent (a proxy): read it again without one.
    tagged.delete(key)
    return await getTagged<T>(path, options)
  }
  if (etag) {
    // A few shows and sections are plenty; the oldest copy goes first.
    if (tagged.size >= 40) tagged.delete(tagged.keys().next().value as string)
    tagged.set(key, { etag, value })
  }
  return { value, changed: true }
}

export function isAbort (error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError'
}

/** The ApiError of a failed response; a refused bearer also tells the app (sign in again). */
export async function failure (response: Response, authenticated = true): Promise<ApiError> {
  const error = await toApiError(response)
  if (error.code === 'UNAUTHENTICATED' && authenticated) unauthenticated?.()
  return error
}

/** An outage rather than an answer: no connection, a 5xx, or a 429 — worth retrying the same request. */
export function isTransient (error: unknown): boolean {
  return error instanceof ApiError && (error.status === 0 || error.status >= 500 || error.status === 429)
}

let unauthenticated: (() => void) | null = null
/** Called when the server refuses our bearer token (expired, or signed with another secret after a restart). */
export function onUnauthenticated (listener: () => void): void { unauthenticated = listener }

async function toApiError (response: Response): Promise<ApiError> {
  const requestId = response.headers.get('x-request-id')
  const retryAfterHeader = response.headers.get('retry-after')
  const retryAfter = retryAfterHeader !== null && /^\d+$/.test(retryAfterHeader) ? Number(retryAfterHeader) : null
  let code = response.status >= 500 ? 'SERVER' : 'UNKNOWN'
  let detail = response.statusText
  let problem: Record<string, unknown> = {}
  try {
    problem = await response.json() as Record<string, unknown>
    if (typeof problem.code === 'string') code = problem.code
    if (typeof problem.detail === 'string') detail = problem.detail
    else if (typeof problem.title === 'string') detail = problem.title
  } catch {
    // Not JSON (a proxy's error page, say): the status alone decides the message.
  }
  return new ApiError(response.status, code, detail, requestId, retryAfter, typeof problem === 'object' && problem !== null ? problem : {})
}

/** A random UUID v4, also where crypto.randomUUID is missing (plain http on a non-local host). */
export function newIdempotencyKey (): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID()
  const b = crypto.getRandomValues(new Uint8Array(16))
  b[6] = (b[6] & 0x0f) | 0x40
  b[8] = (b[8] & 0x3f) | 0x80
  const hex = Array.from(b, x => x.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

function userPath (): string {
  const current = session()
  if (!current) throw new ApiError(401, 'UNAUTHENTICATED', 'not signed in', null)
  return `/users/${encodeURIComponent(current.userId)}`
}

export const api = {
  signIn: (userId: string) => request<AccessToken>('POST', '/auth/token', { body: { userId }, auth: false }),
  concerts: (signal?: AbortSignal) => request<{ concerts: Concert[] }>('GET', '/concerts', { auth: false, signal }),
  dates: (signal?: AbortSignal) => request<{ dates: ShowDate[] }>('GET', '/concerts/dates?includeSoldOut=true', { auth: false, signal }),

  joinQueue: (concertId: string, signal?: AbortSignal) => request<QueueTicket>('POST', '/queue/tokens', { body: { concertId }, signal }),
  queueStatus: (queueToken: string, signal?: AbortSignal) => request<QueueTicket>('GET', '/queue/tokens/current', { queueToken, signal }),
  leaveQueue: (queueToken: string) => request<void>('DELETE', '/queue/tokens/current', { queueToken }),

  /** A show's seats, or one section's; re-read with If-None-Match (a 304 gives back the copy read before). */
  seats: (date: string, queueToken: string, options: { section?: string | null, signal?: AbortSignal } = {}) =>
    getTagged<SeatMap>(`/concerts/${encodeURIComponent(date)}/seats${sectionQuery(options.section)}`, { queueToken, signal: options.signal }),
  sections: (date: string, queueToken: string, signal?: AbortSignal) =>
    getTagged<SectionList>(`/concerts/${encodeURIComponent(date)}/sections`, { queueToken, signal }),
  hold: (date: string, what: HoldRequest, queueToken: string) =>
    // One seat goes as `seatNo`, the body every server version takes; several as one all-or-nothing `seatNos` order.
    request<Reservation>('POST', '/reservations', {
      body: 'seatNos' in what ? (what.seatNos.length === 1 ? { date, seatNo: what.seatNos[0] } : { date, seatNos: what.seatNos }) : { date, ...what },
      queueToken
    }),
  refund: (id: string, idempotencyKey: string) =>
    request<Refund>('POST', `/reservations/${encodeURIComponent(id)}/refund`, { idempotencyKey }),
  draw: (concertId: string, signal?: AbortSignal) =>
    request<Draw>('GET', `/concerts/${encodeURIComponent(concertId)}/draw`, { auth: false, signal }),
  reservation: (id: string, signal?: AbortSignal) => request<Reservation>('GET', `/reservations/${encodeURIComponent(id)}`, { signal }),
  cancel: (id: string) => request<Reservation>('DELETE', `/reservations/${encodeURIComponent(id)}`),
  pay: (id: string, idempotencyKey: string) =>
    request<Payment>('POST', `/reservations/${encodeURIComponent(id)}/pay`, { idempotencyKey }),
  myReservations: (signal?: AbortSignal) => request<{ reservations: Reservation[] }>('GET', `${userPath()}/reservations`, { signal }),

  balance: (signal?: AbortSignal) => request<Balance>('GET', `${userPath()}/points`, { signal }),
  charge: (amount: number, idempotencyKey: string) =>
    request<Balance>('POST', `${userPath()}/points/charge`, { body: { amount }, idempotencyKey }),
  history: (cursor: string | null, signal?: AbortSignal) =>
    request<PointHistory>('GET', `${userPath()}/points/history?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { signal })
}

function sectionQuery (section: string | null | undefined): string {
  return section ? `?section=${encodeURIComponent(section)}` : ''
}

/** Event-stream paths: the tokens go in headers (see stream.ts), never in the URL, so they stay out of logs and history. */
export const streams = {
  queue: '/queue/tokens/current/events',
  seats: (date: string, section?: string | null) => `/concerts/${encodeURIComponent(date)}/seats/events${sectionQuery(section)}`
}
