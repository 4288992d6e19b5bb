// Use cases of the opening draw: place the pre-queue once in seed order, and publish what lets any fan verify it.

import type { Clock } from '../../shared/clock.js'
import { NotFoundError } from '../../shared/errors.js'
import type { DrawRecord, DrawRecords } from './draw-records.js'
import { drawCommitmentOf, drawKeyOf, drawOrder } from './queue.js'
import type { QueueLocal } from './queue-local.js'
import type { QueueStore } from './queue-store.js'

/** What the waiting room reads of the concert catalogue: the opening, and the seed chosen at creation. */
export interface RoomCatalogue {
  findConcert (concertId: number): Promise<{ id: number, salesOpenAt?: number | null } | null>
  /** The concert's draw seed (64 hex digits), or null when it has none. Never to be shown before the draw. */
  findDrawSeed (concertId: number): Promise<string | null>
}

export interface DrawDeps { queue: QueueStore, concerts: RoomCatalogue, draws: DrawRecords, local: QueueLocal, clock: Clock }

/** The concert's draw seed, read once per instance (it never changes). */
export async function seedOf (deps: Pick<DrawDeps, 'concerts' | 'local'>, concertId: number): Promise<string | null> {
  if (deps.local.seeds.has(concertId)) return deps.local.seeds.get(concertId) ?? null
  const seed = await deps.concerts.findDrawSeed(concertId)
  deps.local.seeds.set(concertId, seed)
  return seed
}

/**
 * Makes sure the draw of a concert whose opening has passed has run and is published: any instance may
 * call it at any time; the store lets exactly one placement happen, and every instance then derives the
 * same record from it. Null while it cannot run yet (no seed, or a pre-queue that kept changing).
 */
export async function ensureDrawn (deps: DrawDeps, concertId: number, now: number): Promise<DrawRecord | null> {
  const known = deps.local.draws.get(concertId)
  if (known) return known
  let record = await deps.draws.find(concertId)
  if (!record) {
    const seed = await seedOf(deps, concertId)
    if (seed === null) return null
    let placed = await deps.queue.drawRecord(concertId)
    // 'changed' means a join reached the pre-queue between reading it and placing it: read it again.
    for (let attempt = 0; !placed && attempt < 3; attempt++) {
      const order = drawOrder(seed, await deps.queue.prequeued(concertId))
      if (await deps.queue.draw(concertId, now, order.map(o => o.tokenId)) !== 'changed') placed = await deps.queue.drawRecord(concertId)
    }
    if (!placed) return null
    await deps.draws.save({ concertId, drawnAt: placed.drawnAt, entries: placed.order.map(tokenId => drawKeyOf(seed, tokenId)) })
    record = await deps.draws.find(concertId)
    if (!record) return null
  }
  deps.local.draws.set(concertId, record)
  return record
}

export interface PublicDraw {
  drawCommitment: string
  /** Null until the draw has run (the seed is never shown before it). */
  seed: string | null
  drawnAt: number | null
  entries: string[] | null
}

/**
 * The public side of a concert's draw: the commitment from the start; the seed, the time of the draw and
 * the sorted draw keys once it ran at salesOpenAt. A concert without salesOpenAt has no draw (NOT_FOUND).
 */
export async function readDraw (deps: DrawDeps, concertId: number): Promise<PublicDraw> {
  const concert = await deps.concerts.findConcert(concertId)
  if (!concert) throw new NotFoundError('CONCERT_NOT_FOUND', `no concert ${concertId}`)
  const opensAt = concert.salesOpenAt ?? null
  const seed = opensAt === null ? null : await seedOf(deps, concertId)
  if (opensAt === null || seed === null) throw new NotFoundError('NOT_FOUND', `concert ${concertId} has no pre-queue draw: it opens without salesOpenAt`)
  const drawCommitment = drawCommitmentOf(seed)
  const now = deps.clock.now()
  const record = now >= opensAt ? await ensureDrawn(deps, concertId, now) : null
  if (!record) return { drawCommitment, seed: null, drawnAt: null, entries: null }
  return { drawCommitment, seed, drawnAt: record.drawnAt, entries: record.entries }
}
