// Unit: the waiting room's use cases over the memory queue store, SQLite concerts and a manual clock.

import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createMemoryQueueStore } from '../../src/adapters/memory/queue.memory.js'
import { estimateWaitSeconds, type QueuePolicy } from '../../src/modules/queue/queue.js'
import { decodeQueueToken, encodeQueueToken } from '../../src/modules/queue/queue-token.js'
import { currentTicket, joinQueue, leaveQueue, requireActive, verifyQueueToken, type WaitingRoomDeps } from '../../src/modules/queue/waiting-room.js'
import { createManualClock } from '../../src/shared/clock.js'
import { MINUTE, SECOND, T0, givenConcert, openSqlWorld, type SqlWorld } from '../support/factories.js'

const SECRET = 'unit-test-secret-that-is-at-least-32-bytes'
const POLICY: QueuePolicy = { maxActive: 2, activeTtlMs: 10 * MINUTE, heartbeatTimeoutMs: MINUTE }

describe('waiting room', () => {
  let w: SqlWorld
  let clock: ReturnType<typeof createManualClock>
  let deps: WaitingRoomDeps
  let concertId: number
  let otherConcertId: number
  beforeEach(async () => {
    w = await openSqlWorld()
    clock = createManualClock(T0)
    deps = { queue: createMemoryQueueStore(POLICY), concerts: w.concerts, clock, secret: SECRET }
    concertId = (await givenConcert(w.concerts)).concert.id
    otherConcertId = (await givenConcert(w.concerts, { title: 'Other' })).concert.id
  })
  afterEach(async () => { await w.close() })

  const join = (userId: string, id = concertId) => joinQueue(deps, { userId, concertId: id })

  describe('joinQueue', () => {
    it('an unknown concert is CONCERT_NOT_FOUND', async () => {
      await expect(join('alice', 9999)).rejects.toMatchObject({ status: 404, code: 'CONCERT_NOT_FOUND' })
    })

    it('a user is ACTIVE at once while a slot is free and nobody waits', async () => {
      const { ticket, created } = await join('alice')
      expect(created).toBe(true)
      expect(ticket).toMatchObject({ userId: 'alice', concertId, status: 'ACTIVE', position: 0, estimatedWaitSeconds: 0, activeUntil: T0 + POLICY.activeTtlMs })
      expect(decodeQueueToken(SECRET, ticket.token)).toEqual({ concertId, userId: 'alice', tokenId: ticket.tokenId })
    })

    it('with every slot taken the next users WAIT in order, with a position and an ETA', async () => {
      await join('alice')
      await join('bob')
      const carol = (await join('carol')).ticket
      const dave = (await join('dave')).ticket
      expect(carol).toMatchObject({ status: 'WAITING', position: 1, activeUntil: null })
      expect(dave).toMatchObject({ status: 'WAITING', position: 2, activeUntil: null })
      // Two admissions in the last minute: one place a 30 s.
      expect(carol.estimatedWaitSeconds).toBe(30)
      expect(dave.estimatedWaitSeconds).toBe(60)
    })

    it('joining again returns the same token and place (200, not 201)', async () => {
      await join('alice')
      await join('bob')
      const first = await join('carol')
      await join('dave')
      clock.advance(SECOND)
      const again = await join('carol')
      expect(again.created).toBe(false)
      expect(again.ticket).toMatchObject({ token: first.ticket.token, tokenId: first.ticket.tokenId, status: 'WAITING', position: 1 })
      const active = await join('alice')
      expect(active.created).toBe(false)
      expect(active.ticket.status).toBe('ACTIVE')
    })

    it('queues of different concerts are separate', async () => {
      await join('alice')
      await join('bob')
      expect((await join('carol', otherConcertId)).ticket.status).toBe('ACTIVE')
    })
  })

  describe('admission', () => {
    it('the first waiting user is admitted when a slot is given back', async () => {
      const alice = (await join('alice')).ticket
      await join('bob')
      const carol = (await join('carol')).ticket
      await leaveQueue(deps, decodeQueueToken(SECRET, alice.token))
      expect(await currentTicket(deps, decodeQueueToken(SECRET, carol.token))).toMatchObject({ status: 'ACTIVE', position: 0 })
    })

    it('a waiting token not polled for longer than the heartbeat timeout leaves the queue (QUEUE_TOKEN_EXPIRED)', async () => {
      await join('alice')
      await join('bob')
      const carol = decodeQueueToken(SECRET, (await join('carol')).ticket.token)
      clock.advance(POLICY.heartbeatTimeoutMs)
      expect((await currentTicket(deps, carol)).status).toBe('WAITING')
      clock.advance(POLICY.heartbeatTimeoutMs + 1)
      await expect(currentTicket(deps, carol)).rejects.toMatchObject({ status: 410, code: 'QUEUE_TOKEN_EXPIRED' })
    })
  })

  describe('requireActive', () => {
    it('an ACTIVE token of the bearer for the concert passes', async () => {
      const { ticket } = await join('alice')
      await expect(requireActive(deps, ticket.token, 'alice', concertId)).resolves.toMatchObject({ status: 'ACTIVE', tokenId: ticket.tokenId })
      await expect(requireActive(deps, ticket.token, 'alice')).resolves.toMatchObject({ concertId })
    })

    it('no token is QUEUE_TOKEN_REQUIRED', async () => {
      await expect(requireActive(deps, undefined, 'alice')).rejects.toMatchObject({ status: 401, code: 'QUEUE_TOKEN_REQUIRED' })
      await expect(requireActive(deps, '', 'alice')).rejects.toMatchObject({ code: 'QUEUE_TOKEN_REQUIRED' })
    })

    it('a forged or altered token is QUEUE_TOKEN_INVALID', async () => {
      const { ticket } = await join('alice')
      const forged = encodeQueueToken('another-secret-that-is-also-32-bytes-long', { concertId, userId: 'alice', tokenId: ticket.tokenId })
      const [, signature] = ticket.token.split('.')
      const otherPayload = Buffer.from(JSON.stringify({ c: otherConcertId, u: 'alice', t: ticket.tokenId })).toString('base64url')
      for (const token of [forged, `${otherPayload}.${signature}`, `${ticket.token}x`, `${ticket.token}.extra`, 'not-a-token', '.', 'a'.repeat(600)]) {
        await expect(requireActive(deps, token, 'alice'), token).rejects.toMatchObject({ status: 401, code: 'QUEUE_TOKEN_INVALID' })
      }
    })

    it("another user's token is QUEUE_TOKEN_INVALID", async () => {
      const { ticket } = await join('alice')
      await expect(requireActive(deps, ticket.token, 'mallory')).rejects.toMatchObject({ status: 401, code: 'QUEUE_TOKEN_INVALID' })
      expect(() => verifyQueueToken(deps, ticket.token, 'mallory')).toThrow(expect.objectContaining({ code: 'QUEUE_TOKEN_INVALID' }))
    })

    it('a WAITING token is QUEUE_NOT_ADMITTED', async () => {
      await join('alice')
      await join('bob')
      const { ticket } = await join('carol')
      await expect(requireActive(deps, ticket.token, 'carol')).rejects.toMatchObject({ status: 403, code: 'QUEUE_NOT_ADMITTED' })
    })

    it("a token for another concert is QUEUE_TOKEN_CONCERT_MISMATCH", async () => {
      const { ticket } = await join('alice')
      await expect(requireActive(deps, ticket.token, 'alice', otherConcertId)).rejects.toMatchObject({ status: 403, code: 'QUEUE_TOKEN_CONCERT_MISMATCH' })
    })

    it('an ACTIVE token lapses after activeTtl (QUEUE_TOKEN_EXPIRED) and frees its slot', async () => {
      const { ticket } = await join('alice')
      clock.advance(POLICY.activeTtlMs - 1)
      await expect(requireActive(deps, ticket.token, 'alice')).resolves.toMatchObject({ status: 'ACTIVE' })
      clock.advance(1)
      await expect(requireActive(deps, ticket.token, 'alice')).rejects.toMatchObject({ status: 410, code: 'QUEUE_TOKEN_EXPIRED' })
      const again = await join('alice')
      expect(again.created).toBe(true)
      expect(again.ticket.tokenId).not.toBe(ticket.tokenId)
    })

    it('a token lapses at once when the user leaves by user (after paying)', async () => {
      const { ticket } = await join('alice')
      await deps.queue.leaveByUser(concertId, 'alice')
      await expect(requireActive(deps, ticket.token, 'alice')).rejects.toMatchObject({ code: 'QUEUE_TOKEN_EXPIRED' })
    })
  })

  describe('estimateWaitSeconds', () => {
    it('is 0 for an admitted user', () => {
      expect(estimateWaitSeconds(0, 10, POLICY)).toBe(0)
    })

    it('follows the admissions of the last minute when there were some', () => {
      expect(estimateWaitSeconds(1, 60, POLICY)).toBe(1)
      expect(estimateWaitSeconds(10, 4, POLICY)).toBe(150)
      expect(estimateWaitSeconds(1, 7, POLICY)).toBe(9) // 8.57 rounds up
    })

    it('without recent admissions assumes every slot turns over only at its TTL', () => {
      expect(estimateWaitSeconds(1, 0, POLICY)).toBe(600)
      expect(estimateWaitSeconds(2, 0, POLICY)).toBe(600)
      expect(estimateWaitSeconds(3, 0, POLICY)).toBe(1200)
    })
  })
})
