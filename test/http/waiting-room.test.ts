// The waiting room through the whole app on every backend: the queue view's fields, the pre-queue and its draw route, sold out.

import { createHash, createHmac } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createManualClock } from '../../src/shared/clock.js'
import { APP_BACKENDS, buildTestApp, type TestApp } from '../support/app.js'

const NOW = Date.parse('2026-12-01T00:00:00.000Z')
const HOUR = 3600_000

describe.each(APP_BACKENDS)('waiting room over HTTP on %s', (backend) => {
  let t: TestApp
  const clock = createManualClock(NOW)
  beforeAll(async () => { t = await buildTestApp(backend, { QUEUE_MAX_ACTIVE: '1' }, { clock }) })
  afterAll(async () => { await t?.close() })

  async function concert (title: string, seats: number, salesOpenAt: number | null = null): Promise<string> {
    const { concert } = await t.deps.useCases.concerts.create({
      title, venue: 'Hall', salesOpenAt, shows: [{ date: '2026-12-24', startsAt: Date.parse('2026-12-24T10:00:00.000Z'), seats: [{ from: 1, to: seats, grade: 'R', price: 1000 }] }]
    })
    return String(concert.id)
  }
  const join = (userId: string, concertId: string) => t.req('POST', '/queue/tokens', { headers: t.as(userId), body: { concertId } })

  it('every queue view carries tokenId, refreshAfterMs, estimatedWaitRange, soldOutLikely and drawKey', async () => {
    const id = await concert('Fields', 5)
    const first = await join('f-1', id)
    const second = await join('f-2', id)
    expect(first.statusCode).toBe(201)
    expect(first.json()).toMatchObject({ concertId: id, status: 'ACTIVE', position: 0, refreshAfterMs: null, soldOutLikely: false, drawKey: null, estimatedWaitRange: { p50: 0, p90: 0 } })
    expect(second.json()).toMatchObject({ status: 'WAITING', position: 1, soldOutLikely: false, drawKey: null, estimatedWaitRange: { p50: 60, p90: 60 } })
    const view = second.json()
    expect(view.tokenId).toEqual(expect.any(String))
    expect(view.refreshAfterMs).toBeGreaterThanOrEqual(1000)
    const polled = await t.req('GET', '/queue/tokens/current', { headers: { 'queue-token': view.token } })
    expect(polled.json()).toMatchObject({ token: view.token, tokenId: view.tokenId, status: 'WAITING', position: 1 })
  })

  it('pre-queues before salesOpenAt and publishes a draw anyone can check once it opened', async () => {
    const opensAt = clock.now() + HOUR
    const id = await concert('Draw', 5, opensAt)
    const before = await t.req('GET', `/concerts/${id}/draw`)
    expect(before.statusCode).toBe(200)
    expect(before.json()).toEqual({ drawCommitment: expect.stringMatching(/^[0-9a-f]{64}$/), seed: null, drawnAt: null, entries: null })
    const tickets = await Promise.all(['d-1', 'd-2', 'd-3'].map(async u => (await join(u, id)).json()))
    expect(tickets.map(x => [x.status, x.position])).toEqual([['PREQUEUE', null], ['PREQUEUE', null], ['PREQUEUE', null]])
    const refused = await t.req('GET', '/concerts/2026-12-24/seats', { headers: { ...t.as('d-1'), 'queue-token': tickets[0].token } })
    expect([refused.statusCode, refused.json().code]).toEqual([403, 'QUEUE_NOT_ADMITTED'])

    clock.set(opensAt)
    const after = (await t.req('GET', `/concerts/${id}/draw`)).json()
    const seed = Buffer.from(after.seed, 'hex')
    expect(createHash('sha256').update(seed).digest('hex')).toBe(before.json().drawCommitment)
    expect(after.drawnAt).toBe(new Date(opensAt).toISOString())
    const keys = tickets.map(x => createHmac('sha256', seed).update(x.tokenId, 'utf8').digest('hex'))
    expect(after.entries).toEqual([...keys].sort())
    const views = await Promise.all(tickets.map(async x => (await t.req('GET', '/queue/tokens/current', { headers: { 'queue-token': x.token } })).json()))
    expect(views.map(v => v.drawKey)).toEqual(keys)
    expect(views.map(v => v.position)).toEqual(keys.map(k => after.entries.indexOf(k) + 1))
  })

  it('answers 404 NOT_FOUND for the draw of a concert without salesOpenAt, CONCERT_NOT_FOUND for an unknown one', async () => {
    const id = await concert('No draw', 5)
    expect((await t.req('GET', `/concerts/${id}/draw`)).json()).toMatchObject({ status: 404, code: 'NOT_FOUND' })
    expect((await t.req('GET', '/concerts/999999/draw')).json()).toMatchObject({ status: 404, code: 'CONCERT_NOT_FOUND' })
    expect((await t.req('GET', '/concerts/abc/draw')).json()).toMatchObject({ status: 404, code: 'CONCERT_NOT_FOUND' })
  })

  it('refuses joins to a concert with nothing left to sell with 409 SOLD_OUT', async () => {
    const id = await concert('Past', 5)
    clock.set(Date.parse('2026-12-25T00:00:00.000Z')) // its only show has started: nothing is for sale
    try {
      const res = await join('late', id)
      expect([res.statusCode, res.json().code]).toEqual([409, 'SOLD_OUT'])
    } finally {
      clock.set(NOW + 2 * HOUR)
    }
  })
})
