// Use cases of the waiting room: join, read (heartbeat), leave, the admission check of active routes, and the admission tick.

import { ConflictError, ForbiddenError, GoneError, NotFoundError, UnauthenticatedError } from '../../shared/errors.js'
import { ensureDrawn, seedOf, type DrawDeps } from './draw.js'
import { drawKeyOf, estimateWait, refreshAfterMs, soldOutLikely, type QueueEntry, type RoomTerms } from './queue.js'
import type { QueueTokenClaims } from './queue-token.js'
import type { SeatSupply } from './seat-supply.js'

export interface WaitingRoomDeps extends DrawDeps { seats: SeatSupply }

/** A queue entry as a client sees it. */
export interface QueueTicket extends QueueEntry {
  token: string
  estimatedWaitSeconds: number
  estimatedWaitRange: { p50: number, p90: number } | null
  refreshAfterMs: number | null
  soldOutLikely: boolean
  /** The token's own draw key, once the draw placed it. */
  drawKey: string | null
}

/** How long a live seat map keeps its token busy after each check it makes (it checks every 5 s). */
export const STREAM_LEASE_MS = 12_000

const termsOf = (concert: { salesOpenAt?: number | null } | null): RoomTerms => ({ opensAt: concert?.salesOpenAt ?? null })

const gone = (): GoneError => new GoneError('the queue token has expired or left the queue')

/** Sold out: no show of the concert that has not started has a seat for sale or under a live hold. */
async function isSoldOut (deps: Pick<WaitingRoomDeps, 'seats'>, concertId: number, now: number, fresh = false): Promise<boolean> {
  const supply = await deps.seats.forSale(concertId, now, fresh)
  return supply.available + supply.held === 0
}

async function view (deps: WaitingRoomDeps, entry: QueueEntry, token?: string): Promise<QueueTicket> {
  const now = deps.clock.now()
  const policy = deps.queue.policy
  const ticket: QueueTicket = {
    ...entry,
    token: token ?? deps.local.tokenOf({ concertId: entry.concertId, userId: entry.userId, tokenId: entry.tokenId }),
    estimatedWaitSeconds: 0,
    estimatedWaitRange: { p50: 0, p90: 0 },
    refreshAfterMs: null,
    soldOutLikely: false,
    drawKey: null
  }
  if (entry.drawn) {
    const seed = await seedOf(deps, entry.concertId)
    ticket.drawKey = seed === null ? null : drawKeyOf(seed, entry.tokenId)
  }
  if (entry.status === 'ACTIVE') return ticket
  const figures = await deps.local.figures(entry.concertId, now, () => deps.queue.figures(entry.concertId, now))
  if (entry.status === 'PREQUEUE') {
    const terms = termsOf(await deps.concerts.findConcert(entry.concertId))
    ticket.estimatedWaitSeconds = Math.max(0, Math.ceil(((terms.opensAt ?? now) - now) / 1000))
    ticket.estimatedWaitRange = null
    ticket.refreshAfterMs = refreshAfterMs(entry, now, terms, figures.admissions, policy)
    return ticket
  }
  const position = entry.position ?? 1
  const wait = estimateWait(position, figures.admissions, policy)
  ticket.estimatedWaitSeconds = wait.seconds
  ticket.estimatedWaitRange = wait.range
  ticket.refreshAfterMs = refreshAfterMs(entry, now, { opensAt: null }, figures.admissions, policy)
  ticket.soldOutLikely = entry.status === 'SOLD_OUT' ||
    soldOutLikely(position - 1 + figures.active, (await deps.seats.forSale(entry.concertId, now)).available, figures)
  return ticket
}

/**
 * Takes a place in a concert's queue: PREQUEUE before its salesOpenAt, else WAITING, and ACTIVE at once
 * (capacity model) when a slot is free and nobody waits ahead. SOLD_OUT when nothing is left to sell.
 */
export async function joinQueue (deps: WaitingRoomDeps, input: { userId: string, concertId: number }): Promise<{ ticket: QueueTicket, created: boolean }> {
  const concert = await deps.concerts.findConcert(input.concertId)
  if (!concert) throw new NotFoundError('CONCERT_NOT_FOUND', `no concert ${input.concertId}`)
  const terms = termsOf(concert)
  const now = deps.clock.now()
  // The pre-queue goes ahead of this join: place it first if the opening passed.
  if (terms.opensAt !== null && now >= terms.opensAt) await ensureDrawn(deps, input.concertId, now)
  if (await isSoldOut(deps, input.concertId, now)) throw new ConflictError('SOLD_OUT', 'no seat of this concert is left to sell')
  const { entry, created } = await deps.queue.join(input.concertId, input.userId, now, terms)
  deps.local.rememberAnswer(entry, now)
  return { ticket: await view(deps, entry), created }
}

/** Verifies a presented token (signature, and owner when a bearer is known); a token seen before is not verified again. */
export function verifyQueueToken (deps: Pick<WaitingRoomDeps, 'local'>, token: string | undefined, bearerUserId?: string): QueueTokenClaims {
  if (!token) throw new UnauthenticatedError('QUEUE_TOKEN_REQUIRED', 'a Queue-Token header is required')
  const claims = deps.local.claims(token)
  if (bearerUserId !== undefined && claims.userId !== bearerUserId) {
    throw new UnauthenticatedError('QUEUE_TOKEN_INVALID', 'the queue token belongs to another user')
  }
  return claims
}

/**
 * The token's current state; any read is the WAITING client's heartbeat (early or not) and activity of an
 * ACTIVE one. QUEUE_TOKEN_EXPIRED once it lapsed or left. `token` is the presented text, echoed back.
 */
export async function currentTicket (deps: WaitingRoomDeps, claims: QueueTokenClaims, token?: string): Promise<QueueTicket> {
  const now = deps.clock.now()
  const entry = await deps.queue.touch(claims.concertId, claims.tokenId, now)
  if (!entry) {
    deps.local.forgetAnswer(claims.concertId, claims.userId)
    throw gone()
  }
  deps.local.rememberAnswer(entry, now)
  return view(deps, entry, token)
}

/** Tickets for many tokens of one concert at once (live streams); null for lapsed ones. */
export async function currentTickets (deps: WaitingRoomDeps, concertId: number, tokenIds: string[]): Promise<Array<QueueTicket | null>> {
  const now = deps.clock.now()
  const entries = await deps.queue.touchMany(concertId, tokenIds, now)
  return Promise.all(entries.map(e => {
    if (!e) return null
    deps.local.rememberAnswer(e, now)
    return view(deps, e)
  }))
}

/** Leaves the queue or gives the slot back; the slot goes to the next in line at once. */
export async function leaveQueue (deps: WaitingRoomDeps, claims: QueueTokenClaims): Promise<void> {
  const now = deps.clock.now()
  if (!await deps.queue.touch(claims.concertId, claims.tokenId, now)) throw gone()
  await deps.queue.leave(claims.concertId, claims.tokenId)
  deps.local.forgetAnswer(claims.concertId, claims.userId)
  await admitConcert(deps, claims.concertId, now)
}

/**
 * For routes that need an admitted user: the token must be one this server signed, the bearer's, for
 * `concertId` (if given) and ACTIVE. An ACTIVE answer of the store is trusted for about a second (a repeat
 * costs no HMAC and no store round trip; the activity is written in the next batch); activeUntil is
 * checked on every request, so an expired token is never accepted.
 */
export async function requireActive (deps: WaitingRoomDeps, token: string | undefined, userId: string, concertId?: number): Promise<QueueEntry> {
  const claims = verifyQueueToken(deps, token, userId)
  if (concertId !== undefined && claims.concertId !== concertId) {
    throw new ForbiddenError('QUEUE_TOKEN_CONCERT_MISMATCH', `the queue token is for concert ${claims.concertId}, not ${concertId}`)
  }
  const now = deps.clock.now()
  const recent = deps.local.activeAnswer(claims, now)
  if (recent) {
    deps.local.seen(claims)
    return recent
  }
  const entry = await deps.queue.touch(claims.concertId, claims.tokenId, now)
  if (!entry) {
    deps.local.forgetAnswer(claims.concertId, claims.userId)
    throw gone()
  }
  deps.local.rememberAnswer(entry, now)
  if (entry.status === 'ACTIVE') return entry
  const why = entry.status === 'PREQUEUE'
    ? 'pre-queued: the draw places you at the opening'
    : entry.status === 'SOLD_OUT' ? 'the concert is sold out' : `still waiting at position ${entry.position ?? 0}`
  throw new ForbiddenError('QUEUE_NOT_ADMITTED', why)
}

/** Whether the token is still ACTIVE; a live seat map that asks keeps it busy for STREAM_LEASE_MS. */
export async function isTokenActive (deps: WaitingRoomDeps, concertId: number, tokenId: string): Promise<boolean> {
  const now = deps.clock.now()
  const entry = await deps.queue.touch(concertId, tokenId, now)
  if (entry?.status !== 'ACTIVE') return false
  deps.local.lease({ concertId, tokenId, userId: entry.userId }, now + STREAM_LEASE_MS)
  return true
}

/** Writes the activity this instance saw since the last flush (one round trip per concert). */
export async function flushActivity (deps: WaitingRoomDeps): Promise<void> {
  const now = deps.clock.now()
  for (const [concertId, seen] of deps.local.takeSeen(now)) {
    let entries
    try {
      entries = await deps.queue.touchMany(concertId, seen.map(c => c.tokenId), now)
    } catch (err) {
      for (const claims of seen) deps.local.seen(claims) // written by a later flush
      throw err
    }
    entries.forEach((e, i) => { if (e) deps.local.rememberAnswer(e, now); else deps.local.forgetAnswer(concertId, seen[i].userId) })
  }
}

/** One admission step for one concert: the draw once its opening passed, the sold-out state, then the store's step. */
async function admitConcert (deps: WaitingRoomDeps, concertId: number, now: number, fresh = false): Promise<number> {
  const concert = await deps.concerts.findConcert(concertId)
  if (!concert) return 0
  const terms = termsOf(concert)
  if (terms.opensAt !== null && now >= terms.opensAt) await ensureDrawn(deps, concertId, now)
  return deps.queue.admit(concertId, now, terms, await isSoldOut(deps, concertId, now, fresh))
}

/** One admission tick over every concert with a room (after writing the activity seen here); returns how many were admitted. */
export async function admitWaiting (deps: WaitingRoomDeps): Promise<number> {
  await flushActivity(deps)
  let admitted = 0
  for (const concertId of await deps.queue.concerts()) admitted += await admitConcert(deps, concertId, deps.clock.now())
  return admitted
}

/**
 * A purchase ends the buyer's turn: their token for the concert lapses (counted in the room's payment
 * meter for the sold-out hint) and the slot goes to the next in line now.
 */
export async function endTurnAfterPurchase (deps: WaitingRoomDeps, input: { concertId: number, userId: string }): Promise<void> {
  const now = deps.clock.now()
  deps.local.forgetAnswer(input.concertId, input.userId)
  await deps.queue.leaveByUser(input.concertId, input.userId, now, true)
  // The sale may have been the last seat: read the supply afresh before handing the slot on.
  await admitConcert(deps, input.concertId, now, true)
}
