// Real processes (issue 9 item 2): the key of a charge whose instance was SIGKILLed is usable again on the other within seconds, money once.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startCluster, type Cluster } from '../support/cluster.js'
import { bearer, call, type Reply } from '../support/http-client.js'
import type { Instance } from '../support/instances.js'

const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))
const report = (what: string, figures: unknown): void => { console.info(`[idempotency] ${what}: ${JSON.stringify(figures)}`) }

describe('an Idempotency-Key held by an instance that is killed', () => {
  let cluster: Cluster
  let a: Instance
  let b: Instance
  beforeAll(async () => {
    cluster = await startCluster({ label: 'idem_kill' })
    ;[a, b] = cluster.instances
  }, 120_000)
  afterAll(async () => { await cluster?.close() })

  it('is taken over on the other instance within seconds of the SIGKILL, and the money moves once', async () => {
    const user = 'killed-mid-charge'
    expect((await call(b.url, 'POST', `/users/${user}/points/charge`, { headers: bearer(user), body: { amount: 1 } })).status).toBe(200)
    const headers = { ...bearer(user), 'idempotency-key': 'charge-before-the-crash' }
    // An outside session holds the user's row, so A's charge is stuck inside its transaction when A dies.
    const outside = await cluster.sql()
    await outside.query('BEGIN')
    await outside.query('SELECT * FROM users WHERE id = ? FOR UPDATE', [user])
    const stuck = call(a.url, 'POST', `/users/${user}/points/charge`, { headers, body: { amount: 1000 } }).catch((err: Error) => err)
    await sleep(500)
    const [pending] = await outside.query('SELECT state FROM idempotency_keys WHERE idem_key = ?', ['charge-before-the-crash'])
    expect(pending).toEqual([{ state: 'PENDING' }])
    await a.kill()
    const killedAt = Date.now()
    await outside.query('COMMIT')
    await outside.end()
    expect(await stuck).toBeInstanceOf(Error) // the client of A lost its connection

    // The client retries on B, as told by retry-after, until the key is free again (a lease of 5 s: well within 20 s).
    const answers: string[] = []
    let done: Reply | undefined
    while (Date.now() - killedAt < 20_000) {
      const r = await call(b.url, 'POST', `/users/${user}/points/charge`, { headers, body: { amount: 1000 } })
      answers.push(`${r.status}${r.body?.code ? ` ${r.body.code as string}` : ''}`)
      if (r.status === 200) { done = r; break }
      expect(r.status).toBe(409)
      expect(r.body.code).toBe('IDEMPOTENCY_IN_PROGRESS')
      expect(r.headers.get('retry-after')).toMatch(/^[1-9][0-9]*$/)
      await sleep(Number(r.headers.get('retry-after')) * 1000)
    }
    const usableAfterMs = Date.now() - killedAt
    expect(done?.body).toEqual({ userId: user, balance: 1001 })
    const again = await call(b.url, 'POST', `/users/${user}/points/charge`, { headers, body: { amount: 1000 } })
    expect(again.body).toEqual(done?.body)
    const conn = await cluster.sql()
    const [rows] = await conn.query("SELECT amount FROM point_history WHERE user_id = ? AND type = 'CHARGE' ORDER BY id", [user])
    await conn.end()
    expect(rows).toEqual([{ amount: 1 }, { amount: 1000 }])
    report('key of a SIGKILLed instance', { usableAfterMs, answers })
  }, 60_000)
})
