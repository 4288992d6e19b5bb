// Contract: IdempotencyStore on every SQL backend (SQLite: prepared statements; MySQL: Kysely) — claim once, only the owner renews and completes, a lapsed lease is taken over once.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { IdempotencyClaim, IdempotencyStore, RecordedOutcome } from '../../src/modules/idempotency/idempotency-store.js'
import { randomId } from '../../src/shared/ids.js'
import { SQL_BACKENDS } from '../support/backends.js'
import { T0, openSqlWorld, type SqlWorld } from '../support/factories.js'

const HASH = 'a'.repeat(64)
const OK: RecordedOutcome = { ok: true, value: { userId: 'u1', balance: 1000 } }
const FAILED: RecordedOutcome = { ok: false, error: { status: 422, code: 'INSUFFICIENT_POINTS', message: 'short', extensions: { price: 5, balance: 1 } } }
const LEASE = 5000

describe.each(SQL_BACKENDS)('IdempotencyStore on %s', (backend) => {
  let w: SqlWorld
  let store: IdempotencyStore
  beforeAll(async () => {
    w = await openSqlWorld(backend, 'idempotency')
    store = w.writes.idempotency
  })
  afterAll(async () => { await w?.close() })

  const key = () => randomId(8)
  const SCOPE = 'charge:u1'
  const claimOf = (k: string, over: Partial<IdempotencyClaim> = {}): IdempotencyClaim =>
    ({ scope: SCOPE, key: k, requestHash: HASH, owner: 'first', createdAt: T0, leaseUntil: T0 + LEASE, ...over })

  it('a key can be claimed once per scope, whatever the request', async () => {
    const k = key()
    expect(await store.claim(claimOf(k))).toBe(true)
    expect(await store.claim(claimOf(k))).toBe(false)
    expect(await store.claim(claimOf(k, { requestHash: 'b'.repeat(64), owner: 'other', createdAt: T0 + 1 }))).toBe(false)
    expect(await store.claim(claimOf(k, { scope: 'charge:u2' }))).toBe(true)
  })

  it('find returns null for an unknown key and the PENDING record with its owner and lease after a claim', async () => {
    const k = key()
    expect(await store.find(SCOPE, k)).toBeNull()
    await store.claim(claimOf(k, { owner: 'owner-token-0123456789abcdef' }))
    expect(await store.find(SCOPE, k)).toEqual({ requestHash: HASH, state: 'PENDING', outcome: null, owner: 'owner-token-0123456789abcdef', leaseUntil: T0 + LEASE, createdAt: T0 })
  })

  it('renew extends the lease for its owner only, and only while PENDING', async () => {
    const k = key()
    await store.claim(claimOf(k))
    expect(await store.renew(SCOPE, k, 'first', T0 + 2 * LEASE)).toBe(true)
    expect(await store.renew(SCOPE, k, 'first', T0 + 2 * LEASE)).toBe(true) // the same value again still counts
    expect(await store.renew(SCOPE, k, 'someone-else', T0 + 3 * LEASE)).toBe(false)
    expect((await store.find(SCOPE, k))?.leaseUntil).toBe(T0 + 2 * LEASE)
    await store.complete(SCOPE, k, 'first', OK)
    expect(await store.renew(SCOPE, k, 'first', T0 + 3 * LEASE)).toBe(false)
    expect(await store.renew(SCOPE, key(), 'first', T0)).toBe(false)
  })

  it('complete records the outcome for the owner of a PENDING record only; the first outcome stays', async () => {
    const k = key()
    await store.claim(claimOf(k))
    expect(await store.complete(SCOPE, k, 'someone-else', OK)).toBe(false)
    expect((await store.find(SCOPE, k))?.state).toBe('PENDING')
    expect(await store.complete(SCOPE, k, 'first', FAILED)).toBe(true)
    expect(await store.find(SCOPE, k)).toMatchObject({ requestHash: HASH, state: 'DONE', outcome: FAILED, createdAt: T0 })
    expect(await store.complete(SCOPE, k, 'first', OK)).toBe(false)
    expect((await store.find(SCOPE, k))?.outcome).toEqual(FAILED)
    expect(await store.complete(SCOPE, key(), 'first', OK)).toBe(false) // no record: nothing happens
  })

  it('complete inside a transaction that rolls back leaves the record PENDING', async () => {
    const k = key()
    await store.claim(claimOf(k))
    await expect(w.transact(async (tx) => {
      expect(await tx.idempotency.complete(SCOPE, k, 'first', OK)).toBe(true)
      throw new Error('abort')
    })).rejects.toThrow('abort')
    expect((await store.find(SCOPE, k))?.state).toBe('PENDING')
  })

  it('takeOver succeeds once a lease has lapsed, from the named owner only, and fences that owner off', async () => {
    const k = key()
    await store.claim(claimOf(k))
    expect(await store.takeOver(SCOPE, k, 'first', 'second', T0 + LEASE - 1, T0 + 2 * LEASE)).toBe(false) // lease still runs
    expect(await store.takeOver(SCOPE, k, 'not-the-owner', 'second', T0 + LEASE, T0 + 2 * LEASE)).toBe(false)
    expect(await store.takeOver(SCOPE, k, 'first', 'second', T0 + LEASE, T0 + 2 * LEASE)).toBe(true)
    expect(await store.find(SCOPE, k)).toMatchObject({ state: 'PENDING', owner: 'second', leaseUntil: T0 + 2 * LEASE })
    expect(await store.takeOver(SCOPE, k, 'first', 'third', T0 + 3 * LEASE, T0 + 4 * LEASE)).toBe(false) // someone took it first
    // The stale owner can neither renew, record nor release any more.
    expect(await store.renew(SCOPE, k, 'first', T0 + 9 * LEASE)).toBe(false)
    expect(await store.complete(SCOPE, k, 'first', FAILED)).toBe(false)
    await store.release(SCOPE, k, 'first')
    expect(await store.find(SCOPE, k)).toMatchObject({ state: 'PENDING', owner: 'second' })
    expect(await store.complete(SCOPE, k, 'second', OK)).toBe(true)
    expect(await store.takeOver(SCOPE, k, 'second', 'third', T0 + 9 * LEASE, T0 + 10 * LEASE)).toBe(false) // DONE is final
    expect(await store.takeOver(SCOPE, key(), 'first', 'second', T0 + LEASE, T0 + 2 * LEASE)).toBe(false)
  })

  it('renew inside a transaction holds the record: a takeover of its lapsed lease waits for the commit and then finds it DONE', async () => {
    const k = key()
    await store.claim(claimOf(k))
    let takeover: Promise<boolean> | undefined
    await w.transact(async (tx) => {
      expect(await tx.idempotency.renew(SCOPE, k, 'first', T0 + 2 * LEASE)).toBe(true)
      // Outside the transaction, with the committed lease long lapsed (T0 + LEASE): it must wait for this one.
      takeover = store.takeOver(SCOPE, k, 'first', 'second', T0 + 100 * LEASE, T0 + 101 * LEASE)
      await new Promise(resolve => setTimeout(resolve, 150))
      expect(await tx.idempotency.complete(SCOPE, k, 'first', OK)).toBe(true)
    })
    expect(await takeover).toBe(false)
    expect(await store.find(SCOPE, k)).toMatchObject({ state: 'DONE', owner: 'first', outcome: OK })
  })

  it('release forgets the owner\'s PENDING record so the key can be claimed again, and never a DONE one', async () => {
    const pending = key()
    await store.claim(claimOf(pending))
    await store.release(SCOPE, pending, 'someone-else')
    expect(await store.find(SCOPE, pending)).not.toBeNull()
    await store.release(SCOPE, pending, 'first')
    expect(await store.find(SCOPE, pending)).toBeNull()
    expect(await store.claim(claimOf(pending, { owner: 'again' }))).toBe(true)

    const done = key()
    await store.claim(claimOf(done))
    await store.complete(SCOPE, done, 'first', OK)
    await store.release(SCOPE, done, 'first')
    expect(await store.find(SCOPE, done)).toMatchObject({ state: 'DONE', outcome: OK })
  })

  it('purge deletes the records created before the given time and says how many', async () => {
    // Times far before every other test's records, so the count is this test's alone.
    const [old1, old2, edge, recent] = [key(), key(), key(), key()]
    await store.claim(claimOf(old1, { createdAt: 1000 }))
    await store.claim(claimOf(old2, { createdAt: 2000 }))
    await store.complete(SCOPE, old2, 'first', OK)
    await store.claim(claimOf(edge, { createdAt: 3000 }))
    await store.claim(claimOf(recent, { createdAt: 4000 }))
    expect(await store.purge(3000)).toBe(2)
    expect(await store.find(SCOPE, old1)).toBeNull()
    expect(await store.find(SCOPE, old2)).toBeNull()
    expect(await store.find(SCOPE, edge)).not.toBeNull()
    expect(await store.find(SCOPE, recent)).not.toBeNull()
    expect(await store.purge(3000)).toBe(0)
  })
})
