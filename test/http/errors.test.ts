// Every error code of the contract that the booking core covers, as problem+json, and bad input changing nothing.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LightMyRequestResponse } from 'fastify'
import { APP_BACKENDS, buildTestApp, type TestApp } from '../support/app.js'
import { charge, demoShow, hold, joinQueue } from '../support/journey.js'
import { createManualClock } from '../../src/shared/clock.js'
import { encodeQueueToken } from '../../src/modules/queue/queue-token.js'

function expectProblem (res: LightMyRequestResponse, status: number, code: string): void {
  expect(res.statusCode, res.body).toBe(status)
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
  const p = res.json()
  expect(p).toMatchObject({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String), code })
  expect(res.headers['x-request-id']).toEqual(expect.any(String))
}

describe.each(APP_BACKENDS)('contract errors on %s', (backend) => {
  let t: TestApp
  const clock = createManualClock(Date.now())
  beforeAll(async () => {
    t = await buildTestApp(backend, { QUEUE_MAX_ACTIVE: '2', HOLD_TTL_SECONDS: '60', MAX_HOLDS_PER_USER: '2', QUEUE_ACTIVE_TTL_SECONDS: '600' }, { clock })
  })
  afterAll(async () => { await t.close() })

  it('refuses missing, malformed and foreign bearers (401 UNAUTHENTICATED)', async () => {
    expectProblem(await t.req('GET', '/users/a/points'), 401, 'UNAUTHENTICATED')
    expectProblem(await t.req('GET', '/users/a/points', { headers: { authorization: 'Bearer nope' } }), 401, 'UNAUTHENTICATED')
    expectProblem(await t.req('GET', '/users/a/points', { headers: { authorization: 'Basic abc' } }), 401, 'UNAUTHENTICATED')
    const { createAuth } = await import('../../src/http/auth.js')
    const foreign = createAuth('another-secret-that-is-32-bytes-long!!').sign('a').accessToken
    expectProblem(await t.req('GET', '/users/a/points', { headers: { authorization: `Bearer ${foreign}` } }), 401, 'UNAUTHENTICATED')
  })

  it('refuses another user\'s account (403 FORBIDDEN) unless admin', async () => {
    expectProblem(await t.req('GET', '/users/b/points', { headers: t.as('a') }), 403, 'FORBIDDEN')
    expectProblem(await t.req('POST', '/users/b/points/charge', { headers: t.as('a'), body: { amount: 5 } }), 403, 'FORBIDDEN')
    expect((await t.req('GET', '/users/b/points', { headers: t.as('root', 'admin') })).statusCode).toBe(200)
    expectProblem(await t.req('GET', '/admin/concerts/1/sales', { headers: t.as('a') }), 403, 'FORBIDDEN')
  })

  it('validates bodies strictly and changes nothing (400 VALIDATION_FAILED)', async () => {
    const h = t.as('val')
    for (const body of [{ amount: '100' }, { amount: 0 }, { amount: -5 }, { amount: 1.5 }, { amount: 10, extra: 1 }, {}, [], 'x']) {
      const res = await t.req('POST', '/users/val/points/charge', { headers: { ...h, 'content-type': 'application/json' }, body: JSON.stringify(body) })
      expectProblem(res, 400, 'VALIDATION_FAILED')
      expect(res.json().errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: expect.any(String), message: expect.any(String) })]))
    }
    expectProblem(await t.req('POST', '/users/val/points/charge', { headers: { ...h, 'content-type': 'application/json' }, body: '{"amount":' }), 400, 'VALIDATION_FAILED')
    expect((await t.req('GET', '/users/val/points', { headers: h })).json().balance).toBe(0)
    expectProblem(await t.req('POST', '/auth/token', { body: { userId: 'bad id!' } }), 400, 'VALIDATION_FAILED')
    expectProblem(await t.req('POST', '/auth/token', { body: { userId: 'x'.repeat(65) } }), 400, 'VALIDATION_FAILED')
    expectProblem(await t.req('POST', '/queue/tokens', { headers: h, body: { concertId: 1 } }), 400, 'VALIDATION_FAILED')
    expectProblem(await t.req('GET', '/users/val/points/history?limit=0', { headers: h }), 400, 'VALIDATION_FAILED')
    expectProblem(await t.req('GET', '/users/val/points/history?cursor=abc', { headers: h }), 400, 'VALIDATION_FAILED')
  })

  it('refuses a body that is not JSON (415) and one that is too large (413)', async () => {
    const h = t.as('val')
    expectProblem(await t.req('POST', '/users/val/points/charge', { headers: { ...h, 'content-type': 'text/plain' }, body: 'amount=5' }), 415, 'UNSUPPORTED_MEDIA_TYPE')
    const huge = JSON.stringify({ amount: 1, pad: 'x'.repeat(100_000) })
    expectProblem(await t.req('POST', '/users/val/points/charge', { headers: { ...h, 'content-type': 'application/json' }, body: huge }), 413, 'PAYLOAD_TOO_LARGE')
  })

  it('answers unknown routes and ids with 404 problems', async () => {
    expectProblem(await t.req('GET', '/nope'), 404, 'NOT_FOUND')
    expectProblem(await t.req('GET', '/reservations/999999', { headers: t.as('a') }), 404, 'RESERVATION_NOT_FOUND')
    expectProblem(await t.req('GET', '/reservations/abc', { headers: t.as('a') }), 404, 'RESERVATION_NOT_FOUND')
    expectProblem(await t.req('POST', '/queue/tokens', { headers: t.as('a'), body: { concertId: '424242' } }), 404, 'CONCERT_NOT_FOUND')
    expectProblem(await t.req('GET', '/admin/concerts/424242/sales', { headers: t.as('root', 'admin') }), 404, 'CONCERT_NOT_FOUND')
  })

  it('guards admitted-only routes with the queue token (401/403/410)', async () => {
    const { concertId, date } = await demoShow(t)
    const bearer = t.as('q-1')
    expectProblem(await t.req('GET', `/concerts/${date}/seats`, { headers: bearer }), 401, 'QUEUE_TOKEN_REQUIRED')
    expectProblem(await t.req('GET', `/concerts/${date}/seats`, { headers: { ...bearer, 'queue-token': 'garbage' } }), 401, 'QUEUE_TOKEN_INVALID')
    const forged = encodeQueueToken('not-the-server-secret-at-all-000000', { concertId: Number(concertId), userId: 'q-1', tokenId: 'x' })
    expectProblem(await t.req('GET', `/concerts/${date}/seats`, { headers: { ...bearer, 'queue-token': forged } }), 401, 'QUEUE_TOKEN_INVALID')

    const a = await joinQueue(t, 'q-1', concertId)
    expect(a.ticket.status).toBe('ACTIVE')
    expectProblem(await t.req('GET', `/concerts/${date}/seats`, { headers: { ...t.as('q-other'), 'queue-token': a.headers['queue-token'] } }), 401, 'QUEUE_TOKEN_INVALID')
    expectProblem(await t.req('GET', `/concerts/${date}/seats?concertId=999`, { headers: a.headers }), 403, 'QUEUE_TOKEN_CONCERT_MISMATCH')
    expectProblem(await t.req('POST', '/reservations', { headers: a.headers, body: { date, seatNo: 1, concertId: '999' } }), 403, 'QUEUE_TOKEN_CONCERT_MISMATCH')

    await joinQueue(t, 'q-2', concertId) // fills the second slot
    const waiting = await joinQueue(t, 'q-3', concertId)
    expect(waiting.ticket).toMatchObject({ status: 'WAITING', position: 1, activeUntil: null })
    expect(waiting.ticket.estimatedWaitSeconds).toBeGreaterThan(0)
    expectProblem(await t.req('GET', `/concerts/${date}/seats`, { headers: waiting.headers }), 403, 'QUEUE_NOT_ADMITTED')
    const rejoin = await t.req('POST', '/queue/tokens', { headers: t.as('q-3'), body: { concertId } })
    expect(rejoin.statusCode).toBe(200)
    expect(rejoin.json().token).toBe(waiting.headers['queue-token'])

    // q-1 leaves: q-3 is admitted; q-1's token is refused afterwards.
    expect((await t.req('DELETE', '/queue/tokens/current', { headers: a.headers })).statusCode).toBe(204)
    expectProblem(await t.req('GET', '/queue/tokens/current', { headers: a.headers }), 410, 'QUEUE_TOKEN_EXPIRED')
    expect((await t.req('GET', '/queue/tokens/current', { headers: waiting.headers })).json()).toMatchObject({ status: 'ACTIVE', position: 0 })

    // An ACTIVE token lapses QUEUE_ACTIVE_TTL after admission.
    clock.advance(601_000)
    expectProblem(await t.req('GET', `/concerts/${date}/seats`, { headers: waiting.headers }), 410, 'QUEUE_TOKEN_EXPIRED')
  })

  it('reports seat, show and hold conflicts (404/409) and the hold limit', async () => {
    const { concertId, date, dates } = await demoShow(t)
    const fan = await joinQueue(t, 'h-1', concertId)
    expectProblem(await t.req('POST', '/reservations', { headers: fan.headers, body: { date, seatNo: 51 } }), 404, 'SEAT_NOT_FOUND')
    expectProblem(await t.req('POST', '/reservations', { headers: fan.headers, body: { date: '2031-01-01', seatNo: 1 } }), 404, 'SHOW_NOT_FOUND')
    expectProblem(await t.req('GET', '/concerts/2031-01-01/seats', { headers: fan.headers }), 404, 'SHOW_NOT_FOUND')
    expectProblem(await t.req('POST', '/reservations', { headers: fan.headers, body: { date: '2026-02-30', seatNo: 1 } }), 400, 'VALIDATION_FAILED')
    expectProblem(await t.req('POST', '/reservations', { headers: fan.headers, body: { date, seatNo: true } }), 400, 'VALIDATION_FAILED')
    expectProblem(await t.req('POST', '/reservations', { headers: fan.headers, body: { date, seatNo: '3' } }), 400, 'VALIDATION_FAILED')

    expect((await hold(t, fan.headers, dates[1], 1)).statusCode).toBe(201)
    expect((await hold(t, fan.headers, dates[1], 2)).statusCode).toBe(201)
    const third = await t.req('POST', '/reservations', { headers: fan.headers, body: { date: dates[1], seatNo: 3 } })
    expectProblem(third, 409, 'HOLD_LIMIT_REACHED')
    // The limit is per show: another date is fine.
    expect((await hold(t, fan.headers, dates[2], 3)).statusCode).toBe(201)

    const rival = await joinQueue(t, 'h-2', concertId)
    expectProblem(await t.req('POST', '/reservations', { headers: rival.headers, body: { date: dates[1], seatNo: 1 } }), 409, 'SEAT_UNAVAILABLE')
    for (const f of [fan, rival]) expect((await t.req('DELETE', '/queue/tokens/current', { headers: f.headers })).statusCode).toBe(204)
  })

  it('pays only a live hold with enough points (409/422), and a lapsed hold frees the seat at once', async () => {
    const { concertId, dates } = await demoShow(t)
    const date = dates[2]
    const fan = await joinQueue(t, 'p-1', concertId)
    const r = await hold(t, fan.headers, date, 20)
    const id = String(r.body.id)
    expectProblem(await t.req('POST', `/reservations/${id}/pay`, { headers: t.as('p-intruder') }), 404, 'RESERVATION_NOT_FOUND')
    const poor = await t.req('POST', `/reservations/${id}/pay`, { headers: t.as('p-1') })
    expectProblem(poor, 422, 'INSUFFICIENT_POINTS')
    expect((await t.req('GET', `/reservations/${id}`, { headers: t.as('p-1') })).json().status).toBe('HELD')
    await charge(t, 'p-1', 1_000_000)
    expectProblem(await t.req('POST', `/users/p-1/points/charge`, { headers: t.as('p-1'), body: { amount: 1_000_001 } }), 422, 'CHARGE_LIMIT_EXCEEDED')

    clock.advance(61_000) // the hold lapses; no sweeper runs in this app
    expectProblem(await t.req('POST', `/reservations/${id}/pay`, { headers: t.as('p-1') }), 409, 'HOLD_EXPIRED')
    expect((await t.req('GET', '/users/p-1/points', { headers: t.as('p-1') })).json().balance).toBe(1_000_000)
    expect((await t.req('GET', `/reservations/${id}`, { headers: t.as('p-1') })).json().status).toBe('EXPIRED')
    expectProblem(await t.req('DELETE', `/reservations/${id}`, { headers: t.as('p-1') }), 409, 'RESERVATION_NOT_HELD')
    const next = await joinQueue(t, 'p-2', concertId)
    const seat = (await t.req('GET', `/concerts/${date}/seats`, { headers: next.headers })).json().seats[19]
    expect(seat.status).toBe('AVAILABLE')
    expect((await hold(t, next.headers, date, 20)).statusCode).toBe(201)
  })

  it('replays an Idempotency-Key and refuses its reuse with another body (422)', async () => {
    const h = { ...t.as('i-1'), 'idempotency-key': 'charge-once' }
    const first = await t.req('POST', '/users/i-1/points/charge', { headers: h, body: { amount: 700 } })
    const second = await t.req('POST', '/users/i-1/points/charge', { headers: h, body: { amount: 700 } })
    expect(second.statusCode).toBe(first.statusCode)
    expect(second.json()).toEqual(first.json())
    expect((await t.req('GET', '/users/i-1/points', { headers: t.as('i-1') })).json().balance).toBe(700)
    expectProblem(await t.req('POST', '/users/i-1/points/charge', { headers: h, body: { amount: 800 } }), 422, 'IDEMPOTENCY_KEY_REUSED')
    expectProblem(await t.req('POST', '/users/i-1/points/charge', { headers: { ...t.as('i-1'), 'idempotency-key': 'x'.repeat(256) }, body: { amount: 1 } }), 400, 'VALIDATION_FAILED')
  })

  it('refuses the dev login when it is disabled (404)', async () => {
    const off = await buildTestApp('sqlite', { AUTH_DEV_LOGIN: 'false' })
    try {
      expectProblem(await off.req('POST', '/auth/token', { body: { userId: 'u' } }), 404, 'NOT_FOUND')
    } finally { await off.close() }
  })
})

describe('rate limiting', () => {
  it('is off by default and answers 429 RATE_LIMITED with retry-after once configured', async () => {
    const open = await buildTestApp('sqlite')
    const limited = await buildTestApp('sqlite', { RATE_LIMIT_PER_MINUTE: '5' })
    try {
      const burst = await Promise.all(Array.from({ length: 20 }, () => open.req('GET', '/concerts')))
      expect(burst.every(r => r.statusCode === 200)).toBe(true)
      const statuses: number[] = []
      for (let i = 0; i < 7; i++) statuses.push((await limited.req('GET', '/concerts')).statusCode)
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429])
      const refused = await limited.req('GET', '/concerts')
      expectProblem(refused, 429, 'RATE_LIMITED')
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0)
      expect((await limited.req('GET', '/health')).statusCode).toBe(200)
    } finally {
      await open.close()
      await limited.close()
    }
  })
})
