// Contract: IdempotencyStore on every SQL backend — claim once, complete from PENDING, take over stale claims.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { IdempotencyStore, RecordedOutcome } from '../../src/modules/idempotency/idempotency-store.js'
import { randomId } from '../../src/shared/ids.js'
import { SQL_BACKENDS } from '../support/backends.js'
import { T0, openSqlWorld, type SqlWorld } from '../support/factories.js'

const HASH = 'a'.repeat(64)
const OK: RecordedOutcome = { ok: true, value: { userId: 'u1', balance: 1000 } }
const FAILED: RecordedOutcome = { ok: false, error: { status: 422, code: 'INSUFFICIENT_POINTS', message: 'short', extensions: { price: 5, balance: 1 } } }

describe.each(SQL_BACKENDS)('IdempotencyStore on %s', (backend) => {
  let w: SqlWorld
  let store: IdempotencyStore
  beforeAll(async () => {
    w = await openSqlWorld(backend, 'idempotency')
    store = w.stores.idempotency
  })
  afterAll(async () => { await w?.close() })

  const key = () => randomId(8)
  const SCOPE = 'charge:u1'

  it('a key can be claimed once per scope, whatever the request', async () => {
    const k = key()
    expect(await store.claim(SCOPE, k, HASH, T0)).toBe(true)
    expect(await store.claim(SCOPE, k, HASH, T0)).toBe(false)
    expect(await store.claim(SCOPE, k, 'b'.repeat(64), T0 + 1)).toBe(false)
    expect(await store.claim('charge:u2', k, HASH, T0)).toBe(true)
  })

  it('find returns null for an unknown key and the PENDING record after a claim', async () => {
    const k = key()
    expect(await store.find(SCOPE, k)).toBeNull()
    await store.claim(SCOPE, k, HASH, T0)
    expect(await store.find(SCOPE, k)).toEqual({ requestHash: HASH, state: 'PENDING', outcome: null, createdAt: T0 })
  })

  it('complete records the outcome from PENDING only; the first outcome stays', async () => {
    const k = key()
    await store.claim(SCOPE, k, HASH, T0)
    await store.complete(SCOPE, k, FAILED)
    expect(await store.find(SCOPE, k)).toEqual({ requestHash: HASH, state: 'DONE', outcome: FAILED, createdAt: T0 })
    await store.complete(SCOPE, k, OK)
    expect((await store.find(SCOPE, k))?.outcome).toEqual(FAILED)
    await store.complete(SCOPE, key(), OK) // no record: nothing happens
  })

  it('complete inside a transaction that rolls back leaves the record PENDING', async () => {
    const k = key()
    await store.claim(SCOPE, k, HASH, T0)
    await expect(w.transact(async (tx) => { await tx.idempotency.complete(SCOPE, k, OK); throw new Error('abort') })).rejects.toThrow('abort')
    expect((await store.find(SCOPE, k))?.state).toBe('PENDING')
  })

  it('takeOver succeeds once, only with the matching createdAt, and only on a PENDING record', async () => {
    const k = key()
    await store.claim(SCOPE, k, HASH, T0)
    expect(await store.takeOver(SCOPE, k, T0 + 1, T0 + 60_000)).toBe(false)
    expect(await store.takeOver(SCOPE, k, T0, T0 + 60_000)).toBe(true)
    expect((await store.find(SCOPE, k))?.createdAt).toBe(T0 + 60_000)
    expect(await store.takeOver(SCOPE, k, T0, T0 + 61_000)).toBe(false) // someone else took it first
    await store.complete(SCOPE, k, OK)
    expect(await store.takeOver(SCOPE, k, T0 + 60_000, T0 + 120_000)).toBe(false)
    expect(await store.takeOver(SCOPE, key(), T0, T0 + 60_000)).toBe(false)
  })

  it('release forgets a PENDING record so the key can be claimed again, and never a DONE one', async () => {
    const pending = key()
    await store.claim(SCOPE, pending, HASH, T0)
    await store.release(SCOPE, pending)
    expect(await store.find(SCOPE, pending)).toBeNull()
    expect(await store.claim(SCOPE, pending, HASH, T0)).toBe(true)

    const done = key()
    await store.claim(SCOPE, done, HASH, T0)
    await store.complete(SCOPE, done, OK)
    await store.release(SCOPE, done)
    expect(await store.find(SCOPE, done)).toMatchObject({ state: 'DONE', outcome: OK })
  })

  it('purge deletes the records created before the given time and says how many', async () => {
    // Times far before every other test's records, so the count is this test's alone.
    const [old1, old2, edge, recent] = [key(), key(), key(), key()]
    await store.claim(SCOPE, old1, HASH, 1000)
    await store.claim(SCOPE, old2, HASH, 2000)
    await store.complete(SCOPE, old2, OK)
    await store.claim(SCOPE, edge, HASH, 3000)
    await store.claim(SCOPE, recent, HASH, 4000)
    expect(await store.purge(3000)).toBe(2)
    expect(await store.find(SCOPE, old1)).toBeNull()
    expect(await store.find(SCOPE, old2)).toBeNull()
    expect(await store.find(SCOPE, edge)).not.toBeNull()
    expect(await store.find(SCOPE, recent)).not.toBeNull()
    expect(await store.purge(3000)).toBe(0)
  })
})
