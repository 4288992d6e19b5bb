// Server-sent events through a real socket: live seat changes, live queue place, and streams ending when the token lapses.

import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { APP_BACKENDS, buildTestApp, type TestApp } from '../support/app.js'
import { charge, demoShow, hold, joinQueue } from '../support/journey.js'

/** Reads `data:` events (with their `event:` name) from an event-stream response. */
function events (res: Response): { next: (timeoutMs?: number) => Promise<{ event: string, data: Record<string, unknown> } | null> } {
  const reader = res.body!.getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  return {
    async next (timeoutMs = 8000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const end = buffer.indexOf('\n\n')
        if (end >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const data = block.split('\n').filter(l => l.startsWith('data: ')).map(l => l.slice(6)).join('\n')
          if (!data) continue // comments, retry hints
          const event = block.split('\n').find(l => l.startsWith('event: '))?.slice(7) ?? 'message'
          return { event, data: JSON.parse(data) }
        }
        const left = deadline - Date.now()
        if (left <= 0) throw new Error('no event in time')
        const chunk = await Promise.race([reader.read(), new Promise<never>((_r, reject) => setTimeout(() => reject(new Error('no event in time')), left))])
        if (chunk.done) return null
        buffer += decoder.decode(chunk.value, { stream: true })
      }
    }
  }
}

describe.each(APP_BACKENDS)('live streams on %s', (backend) => {
  let t: TestApp
  let base: string
  beforeAll(async () => {
    t = await buildTestApp(backend, { QUEUE_MAX_ACTIVE: '2' }, { jobs: true })
    await t.app.listen({ port: 0, host: '127.0.0.1' })
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`
  })
  afterAll(async () => { await t.close() })

  it('sends seat changes made by others, and ends the stream once the watcher\'s token lapses', async () => {
    const { concertId, date } = await demoShow(t)
    const watcher = await joinQueue(t, 'watcher', concertId)
    const buyer = await joinQueue(t, 'buyer', concertId)
    const bearer = watcher.headers.authorization.slice('Bearer '.length)
    const res = await fetch(`${base}/concerts/${date}/seats/events?access_token=${bearer}&queue_token=${encodeURIComponent(watcher.headers['queue-token'])}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const stream = events(res)
    await new Promise(resolve => setTimeout(resolve, 100)) // subscribed
    const r = await hold(t, buyer.headers, date, 33)
    expect(r.statusCode).toBe(201)
    const held = await stream.next()
    expect(held).toEqual({ event: 'message', data: { seatNo: 33, section: 'S', status: 'HELD', version: expect.any(Number) } })
    expect((await t.req('DELETE', `/reservations/${String(r.body.id)}`, { headers: t.as('buyer') })).statusCode).toBe(200)
    expect(await stream.next()).toEqual({ event: 'message', data: { seatNo: 33, section: 'S', status: 'AVAILABLE', version: Number(held?.data.version) + 1 } })

    // The watcher leaves the queue: the live map ends with an `expired` event, then the stream closes.
    expect((await t.req('DELETE', '/queue/tokens/current', { headers: watcher.headers })).statusCode).toBe(204)
    expect(await stream.next(8000)).toMatchObject({ event: 'expired', data: { code: 'QUEUE_TOKEN_EXPIRED' } })
    expect(await stream.next(2000)).toBeNull()
    await t.req('DELETE', '/queue/tokens/current', { headers: buyer.headers })
  })

  it('tells a waiting fan their place at once, then that they are admitted when a slot frees', async () => {
    const { concertId, date } = await demoShow(t)
    const first = await joinQueue(t, 'first', concertId)
    const second = await joinQueue(t, 'second', concertId)
    const third = await joinQueue(t, 'third', concertId)
    expect(third.ticket).toMatchObject({ status: 'WAITING', position: 1 })
    const stream = events(await fetch(`${base}/queue/tokens/current/events?queue_token=${encodeURIComponent(third.headers['queue-token'])}`))
    expect((await stream.next())?.data).toMatchObject({ status: 'WAITING', position: 1, token: third.headers['queue-token'] })
    // `first` pays: its token lapses at once and the slot goes to `third`.
    await charge(t, 'first', 500_000)
    const r = await hold(t, first.headers, date, 44)
    expect((await t.req('POST', `/reservations/${String(r.body.id)}/pay`, { headers: t.as('first') })).statusCode).toBe(200)
    expect((await stream.next())?.data).toMatchObject({ status: 'ACTIVE', position: 0, activeUntil: expect.any(String) })
    for (const f of [second, third]) await t.req('DELETE', '/queue/tokens/current', { headers: f.headers })
  })

  it('refuses a stream without a valid queue token as problem+json', async () => {
    const res = await fetch(`${base}/queue/tokens/current/events?queue_token=forged.token`)
    expect(res.status).toBe(401)
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect((await res.json()).code).toBe('QUEUE_TOKEN_INVALID')
  })
})
