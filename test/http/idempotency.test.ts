// Idempotency-Key through the whole app (issue 9 items 2, 10): accepted keys, replays with the retry's request id, a retry of a running request.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createConnection } from 'mysql2/promise'
import { APP_BACKENDS, buildTestApp, type TestApp } from '../support/app.js'
import { charge, demoShow, hold, joinQueue } from '../support/journey.js'

const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

describe.each(APP_BACKENDS)('Idempotency-Key on %s', (backend) => {
  let t: TestApp
  beforeAll(async () => { t = await buildTestApp(backend, { QUEUE_MAX_ACTIVE: '50' }) })
  afterAll(async () => { await t?.close() })

  it('accepts any printable ASCII key, spaces included, from 1 to 255 characters', async () => {
    for (const [n, key] of ['has space', '~!@#$%^&*()_+{}|:"<>?`-=[]\\;\',./', 'k'.repeat(255)].entries()) {
      const res = await t.req('POST', '/users/keys/points/charge', { headers: { ...t.as('keys'), 'idempotency-key': key }, body: { amount: 10 + n } })
      expect(res.statusCode, `${key}: ${res.body}`).toBe(200)
      const again = await t.req('POST', '/users/keys/points/charge', { headers: { ...t.as('keys'), 'idempotency-key': key }, body: { amount: 10 + n } })
      expect(again.json()).toEqual(res.json())
    }
    expect((await t.req('GET', '/users/keys/points', { headers: t.as('keys') })).json().balance).toBe(10 + 11 + 12)
    for (const key of ['k'.repeat(256), 'tab\there', 'é']) {
      const res = await t.req('POST', '/users/keys/points/charge', { headers: { ...t.as('keys'), 'idempotency-key': key }, body: { amount: 1 } })
      expect(res.statusCode, key).toBe(400)
      expect(res.json().code).toBe('VALIDATION_FAILED')
    }
  })

  it('a replayed answer carries the retry\'s own request id, in the x-request-id header and in a problem\'s body alike', async () => {
    const { concertId, date } = await demoShow(t)
    const { headers } = await joinQueue(t, 'replayer', concertId)
    const held = await hold(t, headers, date, 3)
    expect(held.statusCode).toBe(201)
    const pay = (requestId: string) => t.req('POST', `/reservations/${String(held.body.id)}/pay`, { headers: { ...t.as('replayer'), 'idempotency-key': 'short-of-points', 'x-request-id': requestId } })
    const first = await pay('first-request')
    expect(first.statusCode).toBe(422)
    expect([first.headers['x-request-id'], first.json().requestId]).toEqual(['first-request', 'first-request'])
    await charge(t, 'replayer', 1_000_000)
    const replay = await pay('the-retry')
    expect(replay.statusCode).toBe(422)
    expect([replay.headers['x-request-id'], replay.json().requestId]).toEqual(['the-retry', 'the-retry'])
    expect({ ...replay.json(), requestId: null }).toEqual({ ...first.json(), requestId: null })

    const paid = await t.req('POST', `/reservations/${String(held.body.id)}/pay`, { headers: { ...t.as('replayer'), 'idempotency-key': 'pays', 'x-request-id': 'pay-1' } })
    const paidAgain = await t.req('POST', `/reservations/${String(held.body.id)}/pay`, { headers: { ...t.as('replayer'), 'idempotency-key': 'pays', 'x-request-id': 'pay-2' } })
    expect(paid.statusCode).toBe(200)
    expect(paidAgain.json()).toEqual(paid.json())
    expect(paidAgain.headers['x-request-id']).toBe('pay-2')
  })

  // Only MariaDB lets another session hold a row lock while the first request waits on it.
  it.runIf(backend !== 'sqlite')('a retry while the first payment is stalled on a row lock gets 409 IDEMPOTENCY_IN_PROGRESS with retry-after, and later the first\'s answer; it pays once', async () => {
    const { concertId, date } = await demoShow(t)
    const { headers } = await joinQueue(t, 'stalled', concertId)
    await charge(t, 'stalled', 1_000_000)
    const held = await hold(t, headers, date, 7)
    expect(held.statusCode).toBe(201)
    const outside = await createConnection({ uri: t.deps.config.databaseUrl })
    try {
      // Longer than one lock wait (2 s), shorter than two: the first request's transaction goes through on its retry.
      await outside.query('BEGIN')
      await outside.query('SELECT * FROM seats WHERE reservation_id = ? FOR UPDATE', [Number(held.body.id)])
      const pay = () => t.req('POST', `/reservations/${String(held.body.id)}/pay`, { headers: { ...t.as('stalled'), 'idempotency-key': 'stalled-pay' } })
      const first = pay()
      await sleep(200)
      const retry = await pay()
      expect(retry.statusCode, retry.body).toBe(409)
      expect(retry.json().code).toBe('IDEMPOTENCY_IN_PROGRESS')
      expect(retry.headers['retry-after']).toMatch(/^[1-9][0-9]*$/)
      await sleep(3000 - 200 - 2000)
      await outside.query('COMMIT')
      const answered = await first
      expect(answered.statusCode, answered.body).toBe(200)
      const later = await pay()
      expect(later.json()).toEqual(answered.json())
      const [payments] = await outside.query('SELECT COUNT(*) AS n FROM payments WHERE reservation_id = ?', [Number(held.body.id)])
      expect((payments as Array<{ n: number }>)[0].n).toBe(1)
      expect((await t.req('GET', '/users/stalled/points', { headers: t.as('stalled') })).json().balance).toBe(1_000_000 - Number(held.body.price))
    } finally {
      await outside.end()
    }
  }, 20_000)
})
