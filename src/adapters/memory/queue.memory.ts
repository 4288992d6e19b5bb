// QueueStore in process: FIFO per concert for the embedded mode (one instance) and fast tests.

import { randomId } from '../../shared/ids.js'
import type { QueueEntry, QueuePolicy } from '../../modules/queue/queue.js'
import type { QueueStore } from '../../modules/queue/queue-store.js'

interface Waiting { tokenId: string, userId: string, seq: number, lastSeen: number }
interface Active { tokenId: string, userId: string, activeUntil: number }

interface Room {
  /** Insertion order is FIFO order. */
  waiting: Map<string, Waiting>
  /** Sequence numbers of the waiting entries, ascending: a binary search gives a position. */
  seqs: number[]
  active: Map<string, Active>
  byUser: Map<string, string>
  admissions: number[]
  lastSweep: number
}

function lowerBound (xs: number[], x: number): number {
  let lo = 0; let hi = xs.length
  while (lo < hi) { const mid = (lo + hi) >>> 1; if (xs[mid] < x) lo = mid + 1; else hi = mid }
  return lo
}

export function createMemoryQueueStore (policy: QueuePolicy): QueueStore {
  const rooms = new Map<number, Room>()
  let seq = 0

  const room = (concertId: number): Room => {
    let r = rooms.get(concertId)
    if (!r) { r = { waiting: new Map(), seqs: [], active: new Map(), byUser: new Map(), admissions: [], lastSweep: -Infinity }; rooms.set(concertId, r) }
    return r
  }

  function removeWaiting (r: Room, w: Waiting): void {
    r.waiting.delete(w.tokenId)
    r.seqs.splice(lowerBound(r.seqs, w.seq), 1)
    if (r.byUser.get(w.userId) === w.tokenId) r.byUser.delete(w.userId)
  }
  function removeActive (r: Room, a: Active): void {
    r.active.delete(a.tokenId)
    if (r.byUser.get(a.userId) === a.tokenId) r.byUser.delete(a.userId)
  }

  function read (concertId: number, r: Room, tokenId: string, now: number, heartbeat: boolean): QueueEntry | null {
    const a = r.active.get(tokenId)
    if (a) return a.activeUntil > now ? { tokenId, userId: a.userId, concertId, status: 'ACTIVE', position: 0, activeUntil: a.activeUntil } : null
    const w = r.waiting.get(tokenId)
    if (!w || w.lastSeen + policy.heartbeatTimeoutMs < now) return null
    if (heartbeat) w.lastSeen = now
    return { tokenId, userId: w.userId, concertId, status: 'WAITING', position: lowerBound(r.seqs, w.seq) + 1, activeUntil: null }
  }

  const store: QueueStore = {
    policy,
    async join (concertId, userId, now) {
      const r = room(concertId)
      const existing = r.byUser.get(userId)
      if (existing) {
        const entry = read(concertId, r, existing, now, true)
        if (entry) return { entry, created: false }
      }
      const w: Waiting = { tokenId: randomId(), userId, seq: ++seq, lastSeen: now }
      r.waiting.set(w.tokenId, w)
      r.seqs.push(w.seq)
      r.byUser.set(userId, w.tokenId)
      return { entry: read(concertId, r, w.tokenId, now, false)!, created: true }
    },
    async touch (concertId, tokenId, now) {
      const r = rooms.get(concertId)
      return r ? read(concertId, r, tokenId, now, true) : null
    },
    async touchMany (concertId, tokenIds, now) {
      const r = rooms.get(concertId)
      return tokenIds.map(t => r ? read(concertId, r, t, now, true) : null)
    },
    async leave (concertId, tokenId) {
      const r = rooms.get(concertId)
      if (!r) return
      const w = r.waiting.get(tokenId)
      if (w) removeWaiting(r, w)
      const a = r.active.get(tokenId)
      if (a) removeActive(r, a)
    },
    async leaveByUser (concertId, userId) {
      const tokenId = rooms.get(concertId)?.byUser.get(userId)
      if (tokenId) await store.leave(concertId, tokenId)
    },
    async admit (concertId, now) {
      const r = rooms.get(concertId)
      if (!r) return 0
      for (const a of [...r.active.values()]) if (a.activeUntil <= now) removeActive(r, a) // at most maxActive
      // The full scan of the waiting for missed heartbeats runs at most once a second (joins call admit too,
      // and a rush queue is long); entries met at the head below are checked one by one.
      if (now - r.lastSweep >= 1000 || now < r.lastSweep) {
        r.lastSweep = now
        for (const w of [...r.waiting.values()]) if (w.lastSeen + policy.heartbeatTimeoutMs < now) removeWaiting(r, w)
      }
      let admitted = 0
      for (const w of r.waiting.values()) {
        if (r.active.size >= policy.maxActive) break
        removeWaiting(r, w)
        if (w.lastSeen + policy.heartbeatTimeoutMs < now) continue
        r.active.set(w.tokenId, { tokenId: w.tokenId, userId: w.userId, activeUntil: now + policy.activeTtlMs })
        r.byUser.set(w.userId, w.tokenId)
        r.admissions.push(now)
        admitted++
      }
      while (r.admissions.length > 0 && r.admissions[0] <= now - 60_000) r.admissions.shift()
      if (r.waiting.size === 0 && r.active.size === 0) rooms.delete(concertId)
      return admitted
    },
    async admittedLastMinute (concertId, now) {
      const a = rooms.get(concertId)?.admissions ?? []
      return a.length - lowerBound(a, now - 60_000 + 1)
    },
    async stats (concertId, now) {
      const r = rooms.get(concertId)
      if (!r) return { waiting: 0, active: 0 }
      let active = 0
      for (const a of r.active.values()) if (a.activeUntil > now) active++
      return { waiting: r.waiting.size, active }
    },
    async concerts () { return [...rooms.keys()] },
    async ping () {}
  }
  return store
}
