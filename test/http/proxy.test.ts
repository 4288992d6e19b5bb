// TRUST_PROXY through inject (issue 9 items 4, 10): a spoofed X-Forwarded-For changes neither rate-limit key nor logged address; probes unlimited.

import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAppLogger } from '../../src/http/logging.js'
import { APP_BACKENDS, buildTestApp, type TestApp } from '../support/app.js'

/** The proxy in front (nginx) connects from here and appends the address it saw to X-Forwarded-For. */
const PROXY = '127.0.0.1'

// The rate-limit counters live in memory or, with Redis, in Redis: both are covered.
describe.each(APP_BACKENDS.filter(b => b !== 'mysql'))('behind one proxy (TRUST_PROXY=1) on %s', (backend) => {
  let t: TestApp
  const lines: Array<Record<string, unknown>> = []
  beforeAll(async () => {
    const sink = new Writable({ write (chunk: Buffer, _enc, done) { for (const l of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(l)); done() } })
    t = await buildTestApp(backend, { TRUST_PROXY: '1', RATE_LIMIT_PER_MINUTE: '3' }, { logger: createAppLogger('info', sink) })
  })
  afterAll(async () => { await t?.close() })

  const get = (url: string, xff?: string) => t.app.inject({ method: 'GET', url, remoteAddress: PROXY, headers: xff === undefined ? {} : { 'x-forwarded-for': xff } })

  it('a client writing its own X-Forwarded-For entries keeps its address: the limit still counts it, the log shows its real address', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 5; i++) statuses.push((await get('/concerts', `10.9.8.${i}, 198.51.100.${i}, 203.0.113.7`)).statusCode)
    expect(statuses).toEqual([200, 200, 200, 429, 429])
    expect((await get('/concerts', '203.0.113.8')).statusCode).toBe(200) // another client has its own count
    const logged = lines.filter(l => l.msg === 'incoming request').map(l => (l.req as { remoteAddress: string }).remoteAddress)
    expect(logged.slice(-6)).toEqual([...Array(5).fill('203.0.113.7'), '203.0.113.8'])
  })

  it('never limits /health, /ready and /metrics, whatever their query string', async () => {
    for (let i = 0; i < 6; i++) {
      for (const url of ['/health?x', `/health?n=${i}`, '/ready?probe=1', '/metrics?']) expect((await get(url, '192.0.2.50')).statusCode, url).toBe(200)
    }
    expect((await get('/concerts', '192.0.2.50')).statusCode).toBe(200)
  })
})

describe('TRUST_PROXY unset or a list of proxy addresses', () => {
  let off: TestApp
  let listed: TestApp
  beforeAll(async () => {
    off = await buildTestApp('sqlite', { RATE_LIMIT_PER_MINUTE: '2' })
    listed = await buildTestApp('sqlite', { TRUST_PROXY: `${PROXY},10.0.0.0/8`, RATE_LIMIT_PER_MINUTE: '2' })
  })
  afterAll(async () => { await off?.close(); await listed?.close() })

  it('unset, X-Forwarded-For is ignored: every request counts for the connecting address', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 3; i++) statuses.push((await off.app.inject({ method: 'GET', url: '/concerts', remoteAddress: '192.0.2.1', headers: { 'x-forwarded-for': `198.51.100.${i}` } })).statusCode)
    expect(statuses).toEqual([200, 200, 429])
  })

  it('with a list, the client is the first address from the right that is not a listed proxy', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 3; i++) {
      // The client spoofs the left entries; two listed proxies (10.1.2.3 and the connecting one) are trusted.
      statuses.push((await listed.app.inject({ method: 'GET', url: '/concerts', remoteAddress: PROXY, headers: { 'x-forwarded-for': `6.6.6.${i}, 203.0.113.9, 10.1.2.3` } })).statusCode)
    }
    expect(statuses).toEqual([200, 200, 429])
  })
})
