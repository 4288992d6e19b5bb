// QueueStore in process: the waiting room of one instance (embedded mode, fast tests), optionally written through to a journal.

import { randomId } from '../../shared/ids.js'
import { METER_BUCKETS, meterBucket, type QueueEntry, type QueuePolicy, type RoomFigures, type RoomTerms } from '../../modules/queue/queue.js'
import type { QueueStore } from '../../modules/queue/queue-store.js'
import { createRankedList, type RankedList } from './ranked-list.js'

type TokenState = 'PREQUEUE' | 'WAITING' | 'ACTIVE'

/** A token as the journal keeps it: enough to rebuild every place after a restart. */
export interface JournalEntry { tokenId: string, concertId: number, userId: string, state: TokenState, seq: number, activeUntil: number | null, drawn: boolean }
/** A room as the journal keeps it. */
export interface JournalRoom { concertId: number, seq: number, drawnAt: number | null, drawOrder: string[] | null }
export interface QueueSnapshot { entries: JournalEntry[], rooms: JournalRoom[] }

/**
 * Where the in-process store writes its changes so a restarted process finds every place again. Writes
 * are buffered (the latest state of a token or room wins) and written in batches; heartbeats are not
 * written: after a restart every token gets a fresh heartbeat and idle allowance.
 */
export interface QueueJournal {
  putEntry (entry: JournalEntry): void
  dropEntry (tokenId: string): void
  putRoom (room: JournalRoom): void
}

interface Token {
  tokenId: string
  userId: string
  state: TokenState
  seq: number
  /** Last heartbeat (WAITING) or request (ACTIVE). */
  lastSeen: number
  activeUntil: number
  drawn: boolean
  slot: number
}

interface Room {
  concertId: number
  tokens: Map<string, Token>
  byUser: Map<string, Token>
  waiting: RankedList<Token>
  prequeue: Set<Token>
  active: Set<Token>
  seq: number
  lastTick: number
  /** When the waiting were last scanned for missed heartbeats. */
  sweptAt: number
  soldOut: boolean
  drawnAt: number | null
  drawOrder: string[] | null
  /** Meter buckets: bucket → [admitted, paid]. */
  meter: Map<number, [number, number]>
}

/** How often, at most, the waiting are scanned for missed heartbeats (a heartbeat timeout is many seconds). */
const SWEEP_EVERY_MS = 1000

const NO_JOURNAL: QueueJournal = { putEntry () {}, dropEntry () {}, putRoom () {} }

export interface MemoryQueueOptions {
  journal?: QueueJournal
  /** What the journal held at start; every token in it gets a fresh heartbeat at `now`. */
  snapshot?: QueueSnapshot
  now?: number
}

export function createMemoryQueueStore (policy: QueuePolicy, options: MemoryQueueOptions = {}): QueueStore {
  const journal = options.journal ?? NO_JOURNAL
  const rooms = new Map<number, Room>()

  const newRoom = (concertId: number): Room => ({
    concertId,
    tokens: new Map(),
    byUser: new Map(),
    waiting: createRankedList<Token>(),
    prequeue: new Set(),
    active: new Set(),
    seq: 0,
    lastTick: -Infinity,
    sweptAt: -Infinity,
    soldOut: false,
    drawnAt: null,
    drawOrder: null,
    meter: new Map()
  })
  const room = (concertId: number): Room => {
    let r = rooms.get(concertId)
    if (!r) { r = newRoom(concertId); rooms.set(concertId, r) }
    return r
  }

  const journalToken = (r: Room, t: Token): void => journal.putEntry({
    tokenId: t.tokenId, concertId: r.concertId, userId: t.userId, state: t.state, seq: t.seq, activeUntil: t.state === 'ACTIVE' ? t.activeUntil : null, drawn: t.drawn
  })
  const journalRoom = (r: Room): void => journal.putRoom({ concertId: r.concertId, seq: r.seq, drawnAt: r.drawnAt, drawOrder: r.drawOrder })

  function forget (r: Room, t: Token): void {
    if (r.tokens.get(t.tokenId) !== t) return
    r.tokens.delete(t.tokenId)
    if (t.state === 'WAITING') r.waiting.remove(t)
    else if (t.state === 'PREQUEUE') r.prequeue.delete(t)
    else r.active.delete(t)
    if (r.byUser.get(t.userId) === t) r.byUser.delete(t.userId)
    journal.dropEntry(t.tokenId)
  }

  const lapsed = (t: Token, now: number): boolean => t.state === 'ACTIVE'
    ? t.activeUntil <= now || t.lastSeen + policy.idleTimeoutMs < now
    : t.state === 'WAITING' && t.lastSeen + policy.heartbeatTimeoutMs < now

  function read (r: Room, t: Token | undefined, now: number, touch: boolean): QueueEntry | null {
    if (!t || lapsed(t, now)) return null
    if (touch) t.lastSeen = now
    const base = { tokenId: t.tokenId, userId: t.userId, concertId: r.concertId, drawn: t.drawn }
    if (t.state === 'ACTIVE') return { ...base, status: 'ACTIVE', position: 0, activeUntil: t.activeUntil }
    if (t.state === 'PREQUEUE') return { ...base, status: r.soldOut ? 'SOLD_OUT' : 'PREQUEUE', position: null, activeUntil: null }
    return { ...base, status: r.soldOut ? 'SOLD_OUT' : 'WAITING', position: r.waiting.rank(t), activeUntil: null }
  }

  function meter (r: Room, now: number, which: 0 | 1): void {
    const b = meterBucket(now)
    const cell = r.meter.get(b) ?? [0, 0]
    cell[which]++
    r.meter.set(b, cell)
    for (const old of r.meter.keys()) if (old <= b - METER_BUCKETS) r.meter.delete(old)
  }

  /**
   * The atomic admission step (a plain synchronous function: nothing interleaves in one process). The full
   * scan of the waiting for missed heartbeats runs on admissions other than joins, at most once a second (a
   * rush queue is long, and every payment and leave admits: scanning 100,000 waiting fans on each took a
   * quarter of the service's CPU in the arena bench); entries met at the head are checked one by one either way.
   */
  function admitStep (r: Room, now: number, terms: RoomTerms, sweep: boolean): number {
    for (const t of [...r.active]) if (lapsed(t, now)) forget(r, t) // at most maxActive
    if (sweep && (now - r.sweptAt >= SWEEP_EVERY_MS || now < r.sweptAt)) {
      r.sweptAt = now
      for (const t of r.waiting.all()) if (lapsed(t, now)) forget(r, t)
    }
    if (r.soldOut) return 0
    // Nobody goes ahead of the pre-queue: until the draw has placed it, admission waits.
    if (terms.opensAt !== null && now >= terms.opensAt && r.prequeue.size > 0) return 0
    let free = policy.maxActive - r.active.size
    if (policy.admission === 'rate') {
      const window = Math.floor(now / policy.tickMs)
      if (window <= r.lastTick) return 0
      r.lastTick = window
      free = Math.min(free, policy.admitPerTick)
    }
    let admitted = 0
    while (admitted < free) {
      const [t] = r.waiting.front(1)
      if (!t) break
      if (lapsed(t, now)) { forget(r, t); continue }
      r.waiting.remove(t)
      t.state = 'ACTIVE'
      t.activeUntil = now + policy.activeTtlMs
      t.lastSeen = now
      r.active.add(t)
      meter(r, now, 0)
      journalToken(r, t)
      admitted++
    }
    return admitted
  }

  function buckets (r: Room | undefined, now: number, which: 0 | 1): number[] {
    const last = meterBucket(now)
    return Array.from({ length: METER_BUCKETS }, (_, i) => r?.meter.get(last - METER_BUCKETS + 1 + i)?.[which] ?? 0)
  }

  if (options.snapshot) restore(options.snapshot, options.now ?? Date.now())

  /** Rebuilds every room from the journal: same order, same admissions; heartbeats and idle time start afresh. */
  function restore (snapshot: QueueSnapshot, now: number): void {
    for (const j of snapshot.rooms) {
      const r = room(j.concertId)
      r.seq = j.seq
      r.drawnAt = j.drawnAt
      r.drawOrder = j.drawOrder
    }
    const bySeq = [...snapshot.entries].sort((a, b) => a.seq - b.seq)
    const waiting = new Map<number, Token[]>()
    for (const e of bySeq) {
      const r = room(e.concertId)
      const t: Token = { tokenId: e.tokenId, userId: e.userId, state: e.state, seq: e.seq, lastSeen: now, activeUntil: e.activeUntil ?? 0, drawn: e.drawn, slot: -1 }
      r.seq = Math.max(r.seq, e.seq)
      r.tokens.set(t.tokenId, t)
      const previous = r.byUser.get(t.userId)
      if (!previous || previous.seq < t.seq) r.byUser.set(t.userId, t)
      if (t.state === 'ACTIVE') r.active.add(t)
      else if (t.state === 'PREQUEUE') r.prequeue.add(t)
      else waiting.set(e.concertId, [...(waiting.get(e.concertId) ?? []), t])
    }
    for (const [concertId, tokens] of waiting) room(concertId).waiting.prepend(tokens)
  }

  const store: QueueStore = {
    policy,
    async join (concertId, userId, now, terms) {
      const r = room(concertId)
      const existing = r.byUser.get(userId)
      let t = existing && read(r, existing, now, true) ? existing : undefined
      const created = !t
      if (!t) {
        if (existing) forget(r, existing)
        const state: TokenState = terms.opensAt !== null && now < terms.opensAt && r.drawnAt === null ? 'PREQUEUE' : 'WAITING'
        t = { tokenId: randomId(), userId, state, seq: ++r.seq, lastSeen: now, activeUntil: 0, drawn: false, slot: -1 }
        r.tokens.set(t.tokenId, t)
        r.byUser.set(userId, t)
        if (state === 'WAITING') r.waiting.append(t)
        else r.prequeue.add(t)
        journalToken(r, t)
        journalRoom(r)
      }
      if (policy.admission === 'capacity' && t.state === 'WAITING') admitStep(r, now, terms, false)
      return { entry: read(r, t, now, false)!, created }
    },
    async touch (concertId, tokenId, now) {
      const r = rooms.get(concertId)
      return r ? read(r, r.tokens.get(tokenId), now, true) : null
    },
    async touchMany (concertId, tokenIds, now) {
      const r = rooms.get(concertId)
      return tokenIds.map(id => r ? read(r, r.tokens.get(id), now, true) : null)
    },
    async leave (concertId, tokenId) {
      const r = rooms.get(concertId)
      const t = r?.tokens.get(tokenId)
      if (r && t) forget(r, t)
    },
    async leaveByUser (concertId, userId, now, paid) {
      const r = rooms.get(concertId)
      const t = r?.byUser.get(userId)
      if (!r || !t) return
      if (paid && t.state === 'ACTIVE' && !lapsed(t, now)) meter(r, now, 1)
      forget(r, t)
    },
    async admit (concertId, now, terms, soldOut) {
      const r = rooms.get(concertId)
      if (!r) return 0
      r.soldOut = soldOut
      const admitted = admitStep(r, now, terms, true)
      for (const b of r.meter.keys()) if (b <= meterBucket(now) - METER_BUCKETS) r.meter.delete(b)
      if (r.tokens.size === 0 && r.meter.size === 0) rooms.delete(concertId)
      return admitted
    },
    async prequeued (concertId) {
      return [...(rooms.get(concertId)?.prequeue ?? [])].map(t => t.tokenId)
    },
    async draw (concertId, now, order) {
      const r = room(concertId)
      if (r.drawnAt !== null) return 'already'
      const tokens = order.map(id => r.tokens.get(id))
      if (tokens.length !== r.prequeue.size || new Set(order).size !== order.length || tokens.some(t => !t || t.state !== 'PREQUEUE')) return 'changed'
      tokens.forEach((t, i) => {
        t!.state = 'WAITING'
        t!.seq = i - tokens.length // ahead of every later arrival, whose sequence numbers are positive
        t!.lastSeen = now // the heartbeat timeout runs from the opening
        t!.drawn = true
        journalToken(r, t!)
      })
      r.prequeue.clear()
      r.waiting.prepend(tokens as Token[])
      r.drawnAt = now
      r.drawOrder = order
      journalRoom(r)
      return 'drawn'
    },
    async drawRecord (concertId) {
      const r = rooms.get(concertId)
      return r?.drawnAt != null ? { drawnAt: r.drawnAt, order: r.drawOrder ?? [] } : null
    },
    async figures (concertId, now) {
      const r = rooms.get(concertId)
      let active = 0
      for (const t of r?.active ?? []) if (!lapsed(t, now)) active++
      const figures: RoomFigures = {
        waiting: r?.waiting.size ?? 0,
        active,
        prequeued: r?.prequeue.size ?? 0,
        admissions: buckets(r, now, 0),
        payments: buckets(r, now, 1),
        soldOut: r?.soldOut ?? false,
        drawnAt: r?.drawnAt ?? null
      }
      return figures
    },
    async stats (concertId, now) {
      const { waiting, active } = await store.figures(concertId, now)
      return { waiting, active }
    },
    async concerts () { return [...rooms.keys()] },
    async ping () {}
  }
  return store
}
