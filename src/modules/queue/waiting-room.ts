// Use cases of the waiting room: join, read (heartbeat), leave, and the admission tick.

import type { Clock } from '../../shared/clock.js'
import { ForbiddenError, GoneError, NotFoundError, UnauthenticatedError } from '../../shared/errors.js'
import type { ConcertRepository } from '../concerts/concert-repository.js'
import { estimateWaitSeconds, type QueueEntry, type QueueView } from './queue.js'
import type { QueueStore } from './queue-store.js'
import { decodeQueueToken, encodeQueueToken, type QueueTokenClaims } from './queue-token.js'

export interface WaitingRoomDeps { queue: QueueStore, concerts: ConcertRepository, clock: Clock, secret: string }

export interface QueueTicket extends QueueView { token: string }

async function view (deps: WaitingRoomDeps, entry: QueueEntry): Promise<QueueTicket> {
  const admitted = entry.status === 'WAITING' ? await deps.queue.admittedLastMinute(entry.concertId, deps.clock.now()) : 0
  return {
    ...entry,
    token: encodeQueueToken(deps.secret, { concertId: entry.concertId, userId: entry.userId, tokenId: entry.tokenId }),
    estimatedWaitSeconds: estimateWaitSeconds(entry.position, admitted, deps.queue.policy)
  }
}

/** Takes a place in a concert's queue (ACTIVE at once when a slot is free and nobody waits ahead). */
export async function joinQueue (deps: WaitingRoomDeps, input: { userId: string, concertId: number }): Promise<{ ticket: QueueTicket, created: boolean }> {
  if (!await deps.concerts.findConcert(input.concertId)) throw new NotFoundError('CONCERT_NOT_FOUND', `no concert ${input.concertId}`)
  const now = deps.clock.now()
  const { entry, created } = await deps.queue.join(input.concertId, input.userId, now)
  if (entry.status === 'WAITING') {
    // Re-read whatever this admit did: another join or any instance's admission tick may have admitted it already.
    await deps.queue.admit(input.concertId, now)
    const fresh = await deps.queue.touch(input.concertId, entry.tokenId, now)
    if (fresh) return { ticket: await view(deps, fresh), created }
  }
  return { ticket: await view(deps, entry), created }
}

/** Verifies a presented token (signature, and owner when a bearer is known). */
export function verifyQueueToken (deps: Pick<WaitingRoomDeps, 'secret'>, token: string | undefined, bearerUserId?: string): QueueTokenClaims {
  if (!token) throw new UnauthenticatedError('QUEUE_TOKEN_REQUIRED', 'a Queue-Token header is required')
  const claims = decodeQueueToken(deps.secret, token)
  if (bearerUserId !== undefined && claims.userId !== bearerUserId) {
    throw new UnauthenticatedError('QUEUE_TOKEN_INVALID', 'the queue token belongs to another user')
  }
  return claims
}

/** The token's current state; a read is the WAITING client's heartbeat. QUEUE_TOKEN_EXPIRED once it lapsed or left. */
export async function currentTicket (deps: WaitingRoomDeps, claims: QueueTokenClaims): Promise<QueueTicket> {
  const entry = await deps.queue.touch(claims.concertId, claims.tokenId, deps.clock.now())
  if (!entry) throw new GoneError('the queue token has expired or left the queue')
  return view(deps, entry)
}

/** Tickets for many tokens of one concert at once (live streams); null for lapsed ones. */
export async function currentTickets (deps: WaitingRoomDeps, concertId: number, tokenIds: string[]): Promise<Array<QueueTicket | null>> {
  const entries = await deps.queue.touchMany(concertId, tokenIds, deps.clock.now())
  return Promise.all(entries.map(e => e ? view(deps, e) : null))
}

export async function leaveQueue (deps: WaitingRoomDeps, claims: QueueTokenClaims): Promise<void> {
  if (!await deps.queue.touch(claims.concertId, claims.tokenId, deps.clock.now())) throw new GoneError('the queue token has expired or left the queue')
  await deps.queue.leave(claims.concertId, claims.tokenId)
  await deps.queue.admit(claims.concertId, deps.clock.now())
}

/** For routes that need an admitted user: the token must be ACTIVE, the bearer's, and (if given) for `concertId`. */
export async function requireActive (deps: WaitingRoomDeps, token: string | undefined, userId: string, concertId?: number): Promise<QueueEntry> {
  const claims = verifyQueueToken(deps, token, userId)
  if (concertId !== undefined && claims.concertId !== concertId) {
    throw new ForbiddenError('QUEUE_TOKEN_CONCERT_MISMATCH', `the queue token is for concert ${claims.concertId}, not ${concertId}`)
  }
  const entry = await deps.queue.touch(claims.concertId, claims.tokenId, deps.clock.now())
  if (!entry) throw new GoneError('the queue token has expired')
  if (entry.status !== 'ACTIVE') throw new ForbiddenError('QUEUE_NOT_ADMITTED', `still waiting at position ${entry.position}`)
  return entry
}

/** One admission tick over every concert with a queue; returns how many were admitted. */
export async function admitWaiting (deps: Pick<WaitingRoomDeps, 'queue' | 'clock'>): Promise<number> {
  let admitted = 0
  for (const concertId of await deps.queue.concerts()) admitted += await deps.queue.admit(concertId, deps.clock.now())
  return admitted
}

/** A purchase ends the buyer's turn: their token for the concert lapses and the slot goes to the next in line now. */
export async function endTurnAfterPurchase (deps: Pick<WaitingRoomDeps, 'queue' | 'clock'>, input: { concertId: number, userId: string }): Promise<void> {
  await deps.queue.leaveByUser(input.concertId, input.userId)
  await deps.queue.admit(input.concertId, deps.clock.now())
}
