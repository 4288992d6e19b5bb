// What one instance keeps of the waiting room in memory: verified tokens, recent admission answers, activity
// not yet written to the store, and briefly cached room figures — so a cheap read stays cheap.

import { createLru } from '../../shared/lru.js'
import type { DrawRecord } from './draw-records.js'
import type { QueueEntry, RoomFigures } from './queue.js'
import { decodeQueueToken, encodeQueueToken, type QueueTokenClaims } from './queue-token.js'

export interface QueueLocalOptions {
  /** Verified tokens kept by their text (each about 300 bytes). */
  maxTokens?: number
  /** How long an ACTIVE answer is trusted before the store is asked again (ms): the staleness, across instances, of a lapse by leaving, paying or idling. */
  activeRecheckMs?: number
  /** How long a room's figures (estimates, sold-out hint) are reused (ms). */
  figuresTtlMs?: number
}

export interface QueueLocal {
  /** The claims of a token this server signed; a token seen before costs a map lookup, not an HMAC. */
  claims (token: string): QueueTokenClaims
  /** The signed text of a token (signed once per instance, then known as verified too). */
  tokenOf (claims: QueueTokenClaims): string
  /** The store's last ACTIVE answer for this token, if it is recent and its activeUntil is still ahead. */
  activeAnswer (claims: QueueTokenClaims, now: number): QueueEntry | undefined
  rememberAnswer (entry: QueueEntry, now: number): void
  forgetAnswer (concertId: number, userId: string): void
  /** Notes a request made with an ACTIVE token; written to the store by the next flush. */
  seen (claims: QueueTokenClaims): void
  /** Keeps an ACTIVE token busy until `until` (an open stream that checks in now and then). */
  lease (claims: QueueTokenClaims, until: number): void
  /** The tokens to write as active since the last call, per concert (seen ones, and leases still running). */
  takeSeen (now: number): Map<number, QueueTokenClaims[]>
  /** The room's figures, loaded at most once per figuresTtlMs. */
  figures (concertId: number, now: number, load: () => Promise<RoomFigures>): Promise<RoomFigures>
  /** Seeds and published draws never change once known. */
  seeds: Map<number, string | null>
  draws: Map<number, DrawRecord>
}

export function createQueueLocal (secret: string, options: QueueLocalOptions = {}): QueueLocal {
  const recheckMs = options.activeRecheckMs ?? 1000
  const figuresTtlMs = options.figuresTtlMs ?? 500
  const verified = createLru<string, QueueTokenClaims>(options.maxTokens ?? 100_000)
  const signed = createLru<string, string>(options.maxTokens ?? 100_000)
  const answers = createLru<string, { entry: QueueEntry, at: number }>(options.maxTokens ?? 100_000)
  let seen = new Map<string, QueueTokenClaims>()
  const leases = new Map<string, { claims: QueueTokenClaims, until: number }>()
  const figures = new Map<number, { at: number, figures: Promise<RoomFigures> }>()
  const userKey = (concertId: number, userId: string): string => `${concertId}:${userId}`

  return {
    claims (token) {
      const hit = verified.get(token)
      if (hit) return hit
      const claims = decodeQueueToken(secret, token)
      verified.set(token, claims)
      return claims
    },
    tokenOf (claims) {
      const hit = signed.get(claims.tokenId)
      if (hit) return hit
      const token = encodeQueueToken(secret, claims)
      signed.set(claims.tokenId, token)
      verified.set(token, claims)
      return token
    },
    activeAnswer (claims, now) {
      const hit = answers.get(userKey(claims.concertId, claims.userId))
      if (!hit || hit.entry.tokenId !== claims.tokenId) return undefined
      if (now - hit.at >= recheckMs || now < hit.at || (hit.entry.activeUntil ?? 0) <= now) return undefined
      return hit.entry
    },
    rememberAnswer (entry, now) {
      if (entry.status === 'ACTIVE') answers.set(userKey(entry.concertId, entry.userId), { entry, at: now })
      else answers.delete(userKey(entry.concertId, entry.userId))
    },
    forgetAnswer (concertId, userId) { answers.delete(userKey(concertId, userId)) },
    seen (claims) { seen.set(claims.tokenId, claims) },
    lease (claims, until) { leases.set(claims.tokenId, { claims, until }) },
    takeSeen (now) {
      const taken = seen
      seen = new Map()
      for (const [tokenId, lease] of leases) {
        if (lease.until <= now) leases.delete(tokenId)
        else taken.set(tokenId, lease.claims)
      }
      const byConcert = new Map<number, QueueTokenClaims[]>()
      for (const claims of taken.values()) {
        const list = byConcert.get(claims.concertId) ?? []
        list.push(claims)
        byConcert.set(claims.concertId, list)
      }
      return byConcert
    },
    async figures (concertId, now, load) {
      const hit = figures.get(concertId)
      if (hit && now - hit.at < figuresTtlMs && now >= hit.at) return hit.figures
      const entry = { at: now, figures: load() }
      figures.set(concertId, entry)
      entry.figures.catch(() => { if (figures.get(concertId) === entry) figures.delete(concertId) })
      return entry.figures
    },
    seeds: new Map(),
    draws: new Map()
  }
}
