// Races through the whole app: one seat, one balance, one key — exactly one winner, exact sums, never negative.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { APP_BACKENDS, buildTestApp, type TestApp } from '../support/app.js'
import { charge, countBy, demoShow, hold, joinQueue } from '../support/journey.js'

describe.each(APP_BACKENDS)('races on %s', (backend) => {
  let t: TestApp
  beforeAll(async () => { t = await buildTestApp(backend, { QUEUE_MAX_ACTIVE: '10000', MAX_BALANCE: '1000000000' }) })
  afterAll(async () => { await t.close() })

  it('lets exactly one of 200 fans holding the same seat at once win it', async () => {
    const { concertId, date } = await demoShow(t)
    const fans = await Promise.all(Array.from({ length: 200 }, (_, i) => joinQueue(t, `racer-${i}`, concertId)))
    const results = await Promise.all(fans.map(f => hold(t, f.headers, date, 25)))
    expect(countBy(results, r => r.statusCode)).toEqual({ 201: 1, 409: 199 })
    expect(results.filter(r => r.statusCode === 409).every(r => r.body.code === 'SEAT_UNAVAILABLE')).toBe(true)
    const seat = (await t.req('GET', `/concerts/${date}/seats`, { headers: fans[0].headers })).json().seats[24]
    expect(seat.status).toBe('HELD')
    const sales = (await t.req('GET', `/admin/concerts/${concertId}/sales`, { headers: t.as('boss', 'admin') })).json()
    expect(sales.dates[0].held).toBe(1)
  })

  it('adds 50 concurrent charges to the exact sum', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) =>
      t.req('POST', '/users/wallet/points/charge', { headers: t.as('wallet'), body: { amount: 1000 + i } })))
    expect(results.every(r => r.statusCode === 200)).toBe(true)
    const expected = Array.from({ length: 50 }, (_, i) => 1000 + i).reduce((a, b) => a + b, 0)
    expect((await t.req('GET', '/users/wallet/points', { headers: t.as('wallet') })).json().balance).toBe(expected)
    const history = (await t.req('GET', '/users/wallet/points/history?limit=100', { headers: t.as('wallet') })).json().items
    expect(history).toHaveLength(50)
    // Every balanceAfter is distinct: each charge saw the one before it.
    expect(new Set(history.map((h: { balanceAfter: number }) => h.balanceAfter)).size).toBe(50)
  })

  it('confirms one of two concurrent payments of one reservation and charges once', async () => {
    const { concertId, dates } = await demoShow(t)
    const fan = await joinQueue(t, 'double-payer', concertId)
    await charge(t, 'double-payer', 1_000_000)
    const r = await hold(t, fan.headers, dates[1], 5)
    const pays = await Promise.all([1, 2].map(() => t.req('POST', `/reservations/${String(r.body.id)}/pay`, { headers: t.as('double-payer') })))
    expect(pays.map(p => p.statusCode).sort()).toEqual([200, 409])
    expect(pays.find(p => p.statusCode === 409)?.json().code).toBe('ALREADY_PAID')
    expect((await t.req('GET', '/users/double-payer/points', { headers: t.as('double-payer') })).json().balance).toBe(1_000_000 - 165_000)
  })

  it('lets only one of two payments that together exceed the balance succeed, never going negative', async () => {
    const { concertId, dates } = await demoShow(t)
    const fan = await joinQueue(t, 'short', concertId)
    await charge(t, 'short', 200_000)
    const a = await hold(t, fan.headers, dates[1], 6)
    const b = await hold(t, fan.headers, dates[1], 7)
    const pays = await Promise.all([a, b].map(r => t.req('POST', `/reservations/${String(r.body.id)}/pay`, { headers: t.as('short') })))
    expect(pays.map(p => p.statusCode).sort()).toEqual([200, 422])
    expect(pays.find(p => p.statusCode === 422)?.json().code).toBe('INSUFFICIENT_POINTS')
    expect((await t.req('GET', '/users/short/points', { headers: t.as('short') })).json().balance).toBe(200_000 - 165_000)
  })

  it('moves money once for 20 concurrent duplicates of one Idempotency-Key (charge and pay)', async () => {
    const key = { 'idempotency-key': 'dup-charge-1' }
    const charges = await Promise.all(Array.from({ length: 20 }, () =>
      t.req('POST', '/users/dup/points/charge', { headers: { ...t.as('dup'), ...key }, body: { amount: 300_000 } })))
    expect(charges.every(c => c.statusCode === 200)).toBe(true)
    expect(new Set(charges.map(c => c.body)).size).toBe(1)
    expect((await t.req('GET', '/users/dup/points', { headers: t.as('dup') })).json().balance).toBe(300_000)

    const { concertId, dates } = await demoShow(t)
    const fan = await joinQueue(t, 'dup', concertId)
    const r = await hold(t, fan.headers, dates[2], 9)
    const pays = await Promise.all(Array.from({ length: 20 }, () =>
      t.req('POST', `/reservations/${String(r.body.id)}/pay`, { headers: { ...t.as('dup'), 'idempotency-key': 'dup-pay-1' } })))
    expect(pays.every(p => p.statusCode === 200)).toBe(true)
    expect(new Set(pays.map(p => p.body)).size).toBe(1)
    expect((await t.req('GET', '/users/dup/points', { headers: t.as('dup') })).json().balance).toBe(300_000 - 165_000)
    const uses = (await t.req('GET', '/users/dup/points/history', { headers: t.as('dup') })).json().items.filter((i: { type: string }) => i.type === 'USE')
    expect(uses).toHaveLength(1)
  })
})
