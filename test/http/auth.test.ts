// Tokens through the whole app (issue 9 items 5, 7): bearer expiry, query tokens on streams only, no token in logs, others' reservations absent.

import type { AddressInfo } from 'node:net'
import { Writable } from 'node:stream'
import { createSigner } from 'fast-jwt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAppLogger } from '../../src/http/logging.js'
import { APP_BACKENDS, TEST_SECRET, buildTestApp, type TestApp } from '../support/app.js'
import { charge, demoShow, hold, joinQueue } from '../support/journey.js'

const DAY = 24 * 3600_000
const sign = (claims: Record<string, unknown>): string => createSigner({ key: TEST_SECRET, algorithm: 'HS256' })(claims)
const bearerOf = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` })

describe.each(APP_BACKENDS)('tokens on %s', (backend) => {
  let t: TestApp
  const lines: string[] = []
  let base: string
  beforeAll(async () => {
    // Every level, every line kept: a token must not appear in any of them.
    const sink = new Writable({ write (chunk: Buffer, _enc, done) { lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)); done() } })
    t = await buildTestApp(backend, { QUEUE_MAX_ACTIVE: '50' }, { logger: createAppLogger('trace', sink) })
    await t.app.listen({ port: 0, host: '127.0.0.1' })
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`
  })
  afterAll(async () => { await t?.close() })

  it('refuses a correctly signed bearer without exp, or with exp more than 7 days ahead (401); up to 7 days is fine', async () => {
    const now = Math.floor(Date.now() / 1000)
    for (const claims of [{ sub: 'exp-1' }, { sub: 'exp-1', exp: now + 8 * DAY / 1000 }, { sub: 'exp-1', exp: now - 10 }]) {
      const res = await t.req('GET', '/users/exp-1/points', { headers: bearerOf(sign(claims)) })
      expect(res.statusCode, JSON.stringify(claims)).toBe(401)
      expect(res.json().code).toBe('UNAUTHENTICATED')
    }
    const fine = await t.req('GET', '/users/exp-1/points', { headers: bearerOf(sign({ sub: 'exp-1', exp: now + 7 * DAY / 1000 - 60 })) })
    expect(fine.statusCode, fine.body).toBe(200)
  })

  it('ignores ?access_token= and ?queue_token= outside the event streams (401 as if absent)', async () => {
    const { concertId, date } = await demoShow(t)
    const { headers } = await joinQueue(t, 'query-1', concertId)
    const access = encodeURIComponent(headers.authorization.slice('Bearer '.length))
    const queue = encodeURIComponent(headers['queue-token'])
    const points = await t.req('GET', `/users/query-1/points?access_token=${access}`)
    expect([points.statusCode, points.json().code]).toEqual([401, 'UNAUTHENTICATED'])
    const current = await t.req('GET', `/queue/tokens/current?queue_token=${queue}`)
    expect([current.statusCode, current.json().code]).toEqual([401, 'QUEUE_TOKEN_REQUIRED'])
    const seats = await t.req('GET', `/concerts/${date}/seats?queue_token=${queue}`, { headers: bearerOf(decodeURIComponent(access)) })
    expect([seats.statusCode, seats.json().code]).toEqual([401, 'QUEUE_TOKEN_REQUIRED'])
    // The same tokens in headers work.
    expect((await t.req('GET', '/users/query-1/points', { headers })).statusCode).toBe(200)
    expect((await t.req('GET', `/concerts/${date}/seats`, { headers })).statusCode).toBe(200)
  })

  it('accepts the query tokens on the event streams, and no log line at any level holds a token', async () => {
    const { concertId, date } = await demoShow(t)
    const { headers } = await joinQueue(t, 'query-2', concertId)
    const access = headers.authorization.slice('Bearer '.length)
    const queue = headers['queue-token']
    const q = `access_token=${encodeURIComponent(access)}&queue_token=${encodeURIComponent(queue)}`
    for (const path of [`/concerts/${date}/seats/events?${q}`, `/queue/tokens/current/events?${q}`]) {
      const controller = new AbortController()
      const res = await fetch(base + path, { signal: controller.signal })
      expect(res.status, path).toBe(200)
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
      controller.abort()
    }
    // Refused ones are logged too (a bad request at debug, the request line at info).
    await fetch(`${base}/users/query-2/points?access_token=${encodeURIComponent(access)}&queue_token=${encodeURIComponent(queue)}`)
    await fetch(`${base}/users/query-2/points`, { headers: { authorization: `Bearer ${access}`, 'queue-token': queue } })
    await new Promise(resolve => setTimeout(resolve, 100)) // the stream's close is logged after the abort
    expect(lines.length).toBeGreaterThan(5)
    expect(lines.some(l => l.includes('/seats/events'))).toBe(true)
    const leaked = lines.filter(l => l.includes(access) || l.includes(queue) || l.includes(encodeURIComponent(queue)))
    expect(leaked).toEqual([])
    expect(lines.some(l => l.includes('access_token=[redacted]'))).toBe(true)
  })

  it('another user\'s reservation reads as absent: GET, DELETE and pay answer 404 RESERVATION_NOT_FOUND like a missing id', async () => {
    const { concertId, date } = await demoShow(t)
    const { headers } = await joinQueue(t, 'owner-1', concertId)
    const held = await hold(t, headers, date, 41)
    expect(held.statusCode).toBe(201)
    const id = String(held.body.id)
    const missing = String(Number(id) + 100_000)
    await charge(t, 'intruder', 1_000_000)
    for (const [method, path] of [['GET', ''], ['DELETE', ''], ['POST', '/pay']] as const) {
      const theirs = await t.req(method, `/reservations/${id}${path}`, { headers: t.as('intruder') })
      const absent = await t.req(method, `/reservations/${missing}${path}`, { headers: t.as('intruder') })
      expect([theirs.statusCode, theirs.json().code], `${method} ${path}`).toEqual([404, 'RESERVATION_NOT_FOUND'])
      expect(theirs.json().detail.replace(id, 'ID')).toBe(absent.json().detail.replace(missing, 'ID'))
    }
    expect((await t.req('GET', `/reservations/${id}`, { headers: t.as('owner-1') })).json().status).toBe('HELD')
    expect((await t.req('GET', '/users/intruder/points', { headers: t.as('intruder') })).json().balance).toBe(1_000_000)
    expect((await t.req('GET', `/reservations/${id}`, { headers: t.as('root', 'admin') })).statusCode).toBe(200)
  })
})
