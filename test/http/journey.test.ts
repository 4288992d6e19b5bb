// The whole booking journey through the app, on SQLite and on MariaDB.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { APP_BACKENDS, buildTestApp, type TestApp } from '../support/app.js'
import { charge, demoShow, hold, joinQueue } from '../support/journey.js'

describe.each(APP_BACKENDS)('booking journey on %s', (backend) => {
  let t: TestApp
  beforeAll(async () => { t = await buildTestApp(backend, { QUEUE_MAX_ACTIVE: '1000' }) })
  afterAll(async () => { await t.close() })

  it('takes a fan from a token to a paid seat', async () => {
    const { concertId, date } = await demoShow(t)
    const login = await t.req('POST', '/auth/token', { body: { userId: 'fan-1' } })
    expect(login.statusCode).toBe(200)
    expect(login.json()).toMatchObject({ accessToken: expect.any(String), expiresAt: expect.stringMatching(/Z$/) })
    const bearer = { authorization: `Bearer ${login.json().accessToken}` }

    expect((await t.req('GET', '/users/fan-1/points', { headers: bearer })).json()).toEqual({ userId: 'fan-1', balance: 0 })
    expect(await charge(t, 'fan-1', 200_000)).toBe(200_000)

    const join = await t.req('POST', '/queue/tokens', { headers: bearer, body: { concertId } })
    expect(join.statusCode).toBe(201)
    expect(join.json()).toMatchObject({ concertId, status: 'ACTIVE', position: 0, estimatedWaitSeconds: 0, activeUntil: expect.stringMatching(/Z$/) })
    const headers = { ...bearer, 'queue-token': join.json().token as string }

    const seats = await t.req('GET', `/concerts/${date}/seats`, { headers })
    expect(seats.statusCode).toBe(200)
    expect(seats.json().seats).toHaveLength(50)
    expect(seats.json().seats[0]).toEqual({ seatNo: 1, section: 'VIP', row: '1', grade: 'VIP', price: 165000, status: 'AVAILABLE' })

    const held = await t.req('POST', '/reservations', { headers, body: { date, seatNo: 12 } })
    expect(held.statusCode).toBe(201)
    const reservation = held.json()
    expect(reservation).toEqual({
      id: expect.any(String), userId: 'fan-1', concertId, date, seatNo: 12, price: 143000, status: 'HELD', heldUntil: expect.stringMatching(/Z$/),
      // Orders of several seats added these; the single-seat fields read as before.
      seatNos: [12], seats: [{ seatNo: 12, section: 'R', row: '1', grade: 'R', price: 143000 }]
    })
    const seatAfterHold = (await t.req('GET', `/concerts/${date}/seats`, { headers })).json().seats[11]
    expect(seatAfterHold.status).toBe('HELD')

    const paid = await t.req('POST', `/reservations/${reservation.id}/pay`, { headers: bearer })
    expect(paid.statusCode).toBe(200)
    expect(paid.json()).toEqual({ paymentId: expect.any(String), reservationId: reservation.id, amount: 143000, balance: 57000, status: 'CONFIRMED', paidAt: expect.stringMatching(/Z$/) })

    const after = await t.req('GET', `/reservations/${reservation.id}`, { headers: bearer })
    expect(after.json()).toMatchObject({ status: 'CONFIRMED', paidAt: expect.any(String) })
    expect((await t.req('GET', '/users/fan-1/points', { headers: bearer })).json().balance).toBe(57000)
    const history = (await t.req('GET', '/users/fan-1/points/history', { headers: bearer })).json()
    expect(history.items.map((i: { type: string }) => i.type)).toEqual(['USE', 'CHARGE'])
    expect(history.items[0]).toMatchObject({ amount: 143000, balanceAfter: 57000, reservationId: reservation.id })
    expect(history.nextCursor).toBeNull()
    const mine = (await t.req('GET', '/users/fan-1/reservations', { headers: bearer })).json().reservations
    expect(mine.map((r: { id: string }) => r.id)).toEqual([reservation.id])

    // The queue token lapses once the user pays.
    const lapsed = await t.req('GET', '/queue/tokens/current', { headers })
    expect(lapsed.statusCode).toBe(410)
    expect(lapsed.json().code).toBe('QUEUE_TOKEN_EXPIRED')

    // Another fan now sees the seat SOLD.
    const other = await joinQueue(t, 'fan-2', concertId)
    const soldSeat = (await t.req('GET', `/concerts/${date}/seats`, { headers: other.headers })).json().seats[11]
    expect(soldSeat.status).toBe('SOLD')
    expect((await hold(t, other.headers, date, 12)).body.code).toBe('SEAT_UNAVAILABLE')

    const sales = (await t.req('GET', `/admin/concerts/${concertId}/sales`, { headers: t.as('boss', 'admin') })).json()
    expect(sales.dates[0]).toMatchObject({ date, sold: 1, revenue: 143000 })
  })

  it('lets the holder cancel, and the seat is AVAILABLE at once', async () => {
    const { concertId, date } = await demoShow(t)
    const fan = await joinQueue(t, 'fan-cancel', concertId)
    const r = await hold(t, fan.headers, date, 40)
    expect(r.statusCode).toBe(201)
    const cancelled = await t.req('DELETE', `/reservations/${String(r.body.id)}`, { headers: t.as('fan-cancel') })
    expect(cancelled.statusCode).toBe(200)
    expect(cancelled.json().status).toBe('CANCELLED')
    const again = await t.req('DELETE', `/reservations/${String(r.body.id)}`, { headers: t.as('fan-cancel') })
    expect(again.statusCode).toBe(409)
    expect(again.json().code).toBe('RESERVATION_NOT_HELD')
    const other = await joinQueue(t, 'fan-after-cancel', concertId)
    expect((await hold(t, other.headers, date, 40)).statusCode).toBe(201)
  })

  it('lists bookable dates soonest first with seat counts, filtered by concert', async () => {
    const { concertId } = await demoShow(t)
    const res = await t.req('GET', `/concerts/dates?concertId=${concertId}`)
    expect(res.statusCode).toBe(200)
    const dates = res.json().dates as Array<{ date: string, startsAt: string, totalSeats: number, availableSeats: number, concertTitle: string }>
    expect(dates.length).toBeGreaterThanOrEqual(3)
    expect([...dates].sort((a, b) => a.startsAt.localeCompare(b.startsAt))).toEqual(dates)
    expect(dates[0]).toMatchObject({ concertId, totalSeats: 50, concertTitle: expect.any(String) })
    expect((await t.req('GET', '/concerts/dates?concertId=999999')).json().dates).toEqual([])
  })

  it('answers the operations endpoints', async () => {
    expect((await t.req('GET', '/health')).json()).toEqual({ status: 'ok' })
    const ready = await t.req('GET', '/ready')
    expect(ready.statusCode).toBe(200)
    const metrics = await t.req('GET', '/metrics')
    expect(metrics.statusCode).toBe(200)
    expect(metrics.body).toContain('http_request_duration_seconds')
    expect(metrics.body).toContain('concert_holds_total')
    expect(metrics.body).toContain('concert_queue_active')
    const doc = await t.req('GET', '/docs/json')
    expect(doc.json().openapi).toMatch(/^3\./)
    expect(Object.keys(doc.json().paths)).toEqual(expect.arrayContaining(['/reservations/{id}/pay', '/concerts/{date}/seats', '/queue/tokens']))
    expect((await t.req('GET', '/health')).headers['x-request-id']).toEqual(expect.any(String))
    expect((await t.req('GET', '/health', { headers: { 'x-request-id': 'trace-42' } })).headers['x-request-id']).toBe('trace-42')
  })

  it('lets an admin create a concert that fans can then book', async () => {
    const res = await t.req('POST', '/admin/concerts', {
      headers: t.as('boss', 'admin'),
      body: { title: 'New Show', venue: 'Hall', shows: [{ date: '2030-05-01', startsAt: '2030-05-01T10:00:00.000Z', seats: [{ from: 1, to: 5, grade: 'R', price: 1000 }, { from: 6, to: 8, grade: 'S', price: 500 }] }] }
    })
    expect(res.statusCode).toBe(201)
    expect(res.json()).toMatchObject({ id: expect.any(String), title: 'New Show', venue: 'Hall', dates: ['2030-05-01'], shows: [{ id: expect.any(String), date: '2030-05-01' }] })
    const fan = await joinQueue(t, 'fan-new-show', res.json().id)
    const seats = (await t.req('GET', '/concerts/2030-05-01/seats', { headers: fan.headers })).json().seats
    expect(seats).toHaveLength(8)
    expect(seats[7]).toEqual({ seatNo: 8, section: 'S', row: '1', grade: 'S', price: 500, status: 'AVAILABLE' })
  })
})
