// The waiting room's vocabulary and its pure rules: estimates, polling pace, the draw, the sold-out hint.

import { createHash, createHmac } from 'node:crypto'

/** PREQUEUE before a concert's salesOpenAt; SOLD_OUT is how a waiting token reads while nothing is left to sell. */
export type QueueStatus = 'PREQUEUE' | 'WAITING' | 'ACTIVE' | 'SOLD_OUT'
export type AdmissionModel = 'capacity' | 'rate'

export interface QueueEntry {
  tokenId: string
  userId: string
  concertId: number
  status: QueueStatus
  /** 1-based among those still waiting; 0 once ACTIVE; null while PREQUEUE. */
  position: number | null
  activeUntil: number | null
  /** Placed by the opening draw (its view carries its draw key). */
  drawn: boolean
}

export interface QueuePolicy {
  maxActive: number
  activeTtlMs: number
  /** A WAITING token not read for longer leaves the queue. */
  heartbeatTimeoutMs: number
  /** An ACTIVE token with no request and no open stream for longer lapses. */
  idleTimeoutMs: number
  /** capacity: keep up to maxActive admitted; rate: admit up to admitPerTick every tickMs (never above maxActive). */
  admission: AdmissionModel
  admitPerTick: number
  tickMs: number
}

/** What a room is told by its concert: before `opensAt` joins pre-queue; at it, the draw. */
export interface RoomTerms { opensAt: number | null }

/** Length of one bucket of the admission and payment meters, and how many of them are kept (10 minutes). */
export const METER_BUCKET_MS = 10_000
export const METER_BUCKETS = 60

/** A room's figures as the store keeps them; the same on every instance. */
export interface RoomFigures {
  waiting: number
  active: number
  prequeued: number
  /** Admissions per meter bucket, oldest first, the last METER_BUCKETS buckets up to the one holding `now`. */
  admissions: number[]
  /** Payments (tokens that lapsed after paying) over the same buckets. */
  payments: number[]
  soldOut: boolean
  /** When the opening draw ran, or null. */
  drawnAt: number | null
}

export const meterBucket = (at: number): number => Math.floor(at / METER_BUCKET_MS)

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0)

function quantile (sorted: number[], q: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[i]
}

/**
 * Admission rates (per second) of every minute-long window of the measured span (from the first bucket
 * with an admission to now), stepped by one bucket; a span shorter than a minute gives the last minute.
 * Empty until something was admitted.
 */
export function measuredRates (admissions: number[]): number[] {
  const first = admissions.findIndex(n => n > 0)
  if (first < 0) return []
  const perWindow = 60_000 / METER_BUCKET_MS
  const span = admissions.slice(Math.min(first, admissions.length - perWindow))
  const rates: number[] = []
  for (let end = perWindow; end <= span.length; end++) rates.push(sum(span.slice(end - perWindow, end)) / 60)
  return rates.length > 0 ? rates : [sum(span) / 60]
}

export interface WaitEstimate { seconds: number, range: { p50: number, p90: number } | null }

/**
 * The wait of the `position`-th in line: p50 from the median admission rate of the measured minutes, p90
 * from their slowest tenth (the slowest rate that admitted anyone, if a tenth admitted nobody). Without any
 * measured admission the range is null and the figure is the worst case: every slot turns over only at its
 * TTL (capacity) or one tick per admitPerTick (rate).
 */
export function estimateWait (position: number, admissions: number[], policy: QueuePolicy): WaitEstimate {
  if (position <= 0) return { seconds: 0, range: { p50: 0, p90: 0 } }
  const rates = measuredRates(admissions).sort((a, b) => a - b)
  const slowestNonZero = rates.find(r => r > 0)
  if (slowestNonZero === undefined) {
    const seconds = policy.admission === 'rate'
      ? Math.ceil(position / Math.max(1, Math.min(policy.admitPerTick, policy.maxActive))) * Math.ceil(policy.tickMs / 1000)
      : Math.ceil(position / Math.max(1, policy.maxActive)) * Math.ceil(policy.activeTtlMs / 1000)
    return { seconds, range: null }
  }
  const median = quantile(rates, 0.5) || slowestNonZero
  const slow = quantile(rates, 0.1) || slowestNonZero
  const p50 = Math.ceil(position / median)
  return { seconds: p50, range: { p50, p90: Math.max(p50, Math.ceil(position / slow)) } }
}

/**
 * Admissions per second over the last minute, or over the time since the first admission when that is
 * shorter (for the polling pace: the first seconds of a sale must not read as a minute of slow admissions).
 */
function recentRate (admissions: number[], now: number): number {
  const window = admissions.slice(-60_000 / METER_BUCKET_MS)
  const first = window.findIndex(n => n > 0)
  if (first < 0) return 0
  const spanMs = (window.length - 1 - first) * METER_BUCKET_MS + (now % METER_BUCKET_MS)
  return sum(window) / (Math.min(60_000, Math.max(1000, spanMs)) / 1000)
}

/** Shortest poll interval, and the bounds of the per-place step (ms per place ahead). */
export const REFRESH_MIN_MS = 1000
export const REFRESH_STEP_MIN_MS = 5
export const REFRESH_STEP_MAX_MS = 250

/**
 * When a client should poll next. WAITING: `clamp(position × step, 1 s, heartbeat/2)` with
 * `step = clamp(500 ms / admissions per second, 5 ms, 250 ms)`, so a fan polls about twice before their
 * turn and never misses a heartbeat. The sum of 1/refreshAfterMs over N waiting fans is then at most
 * `(1000/stepMin)·(1 + ln(heartbeat/2 s)) + 2N/heartbeat` per second — with the defaults (heartbeat 60 s)
 * about 880 + N/30: 4,200 requests per second for 100,000 fans, whatever the pace of admission.
 * PREQUEUE: until opening, plus a spread over half the heartbeat timeout (from the token id), so the
 * pre-queue does not poll all at once when the draw opens. SOLD_OUT: half the heartbeat. ACTIVE: null.
 */
export function refreshAfterMs (entry: Pick<QueueEntry, 'status' | 'position' | 'tokenId'>, now: number, terms: RoomTerms, admissions: number[], policy: QueuePolicy): number | null {
  const longest = Math.max(REFRESH_MIN_MS, Math.floor(policy.heartbeatTimeoutMs / 2))
  if (entry.status === 'ACTIVE') return null
  if (entry.status === 'SOLD_OUT') return longest
  if (entry.status === 'PREQUEUE') {
    const untilOpen = Math.max(0, (terms.opensAt ?? now) - now)
    return Math.min(untilOpen, 3_600_000) + spreadOf(entry.tokenId, longest)
  }
  const rate = recentRate(admissions, now)
  const step = rate > 0 ? Math.min(REFRESH_STEP_MAX_MS, Math.max(REFRESH_STEP_MIN_MS, 500 / rate)) : REFRESH_STEP_MAX_MS
  return Math.min(longest, Math.max(REFRESH_MIN_MS, Math.round((entry.position ?? 1) * step)))
}

/** A stable offset in [0, range) from a token id, so pre-queued clients spread their first poll after opening. */
function spreadOf (tokenId: string, range: number): number {
  let h = 0
  for (let i = 0; i < tokenId.length; i++) h = (h * 31 + tokenId.charCodeAt(i)) >>> 0
  return h % range
}

/**
 * True when the seats still for sale are fewer than the users ahead times the measured share of admitted
 * users who buy (payments ÷ admissions over the meter's 10 minutes; 1 until a payment was measured).
 */
export function soldOutLikely (usersAhead: number, seatsForSale: number, figures: Pick<RoomFigures, 'admissions' | 'payments'>): boolean {
  const admitted = sum(figures.admissions)
  const paid = sum(figures.payments)
  const share = paid > 0 && admitted > 0 ? Math.min(1, paid / admitted) : 1
  return seatsForSale < usersAhead * share
}

/** A draw key: hex HMAC-SHA256 keyed with the 32 seed bytes over the token id's UTF-8. */
export const drawKeyOf = (seedHex: string, tokenId: string): string =>
  createHmac('sha256', Buffer.from(seedHex, 'hex')).update(tokenId, 'utf8').digest('hex')

/** The public commitment to a seed: hex SHA-256 of its 32 bytes. */
export const drawCommitmentOf = (seedHex: string): string => createHash('sha256').update(Buffer.from(seedHex, 'hex')).digest('hex')

/** The pre-queued tokens in draw order: ascending draw key. */
export function drawOrder (seedHex: string, tokenIds: string[]): Array<{ tokenId: string, drawKey: string }> {
  return tokenIds.map(tokenId => ({ tokenId, drawKey: drawKeyOf(seedHex, tokenId) }))
    .sort((a, b) => (a.drawKey < b.drawKey ? -1 : a.drawKey > b.drawKey ? 1 : 0))
}
