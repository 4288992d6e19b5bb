// Connection timeouts and cap on a listening app (issue 9 item 6): slow and idle sockets closed, extra sockets refused, streams live on.

import { connect, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../support/app.js'
import { demoShow, hold, joinQueue } from '../support/journey.js'

const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

/** Resolves once `check` holds, polling every 50 ms; rejects after `ms`. */
async function within (ms: number, check: () => boolean | Promise<boolean>, what: () => string): Promise<void> {
  const deadline = Date.now() + ms
  while (!await check()) {
    if (Date.now() > deadline) throw new Error(what())
    await sleep(50)
  }
}

interface Probe { socket: Socket, closed: boolean, received: string }

describe('connection timeouts and cap (HEADERS_TIMEOUT_SECONDS=1, REQUEST_TIMEOUT_SECONDS=2, KEEP_ALIVE_TIMEOUT_SECONDS=1)', () => {
  let t: TestApp
  let port: number
  const probes: Probe[] = []
  beforeAll(async () => {
    t = await buildTestApp('sqlite', { HEADERS_TIMEOUT_SECONDS: '1', REQUEST_TIMEOUT_SECONDS: '2', KEEP_ALIVE_TIMEOUT_SECONDS: '1', MAX_CONNECTIONS: '400', QUEUE_MAX_ACTIVE: '10' })
    await t.app.listen({ port: 0, host: '127.0.0.1' })
    port = (t.app.server.address() as AddressInfo).port
  })
  afterAll(async () => {
    for (const p of probes) p.socket.destroy()
    await t?.close()
  })

  const connections = (): Promise<number> => new Promise((resolve, reject) => t.app.server.getConnections((err, n) => { if (err) reject(err); else resolve(n) }))

  function open (onConnect?: (socket: Socket) => void): Probe {
    const socket = connect(port, '127.0.0.1')
    const probe: Probe = { socket, closed: false, received: '' }
    socket.on('connect', () => onConnect?.(socket))
    socket.on('data', (d: Buffer) => { probe.received += d.toString('latin1') })
    socket.on('close', () => { probe.closed = true })
    socket.on('error', () => {})
    probes.push(probe)
    return probe
  }

  it('closes 80 slow-loris sockets and 200 idle ones within the timeouts, each slow one with a problem+json 408', async () => {
    const idle = Array.from({ length: 200 }, () => open())
    const loris = Array.from({ length: 80 }, () => open((socket) => {
      socket.write('GET /concerts HTTP/1.1\r\nHost: x\r\n')
      const drip = setInterval(() => { if (socket.destroyed) clearInterval(drip); else socket.write(`X-Drip-${Math.random().toString(36).slice(2)}: 1\r\n`) }, 200)
    }))
    await within(6000, () => [...idle, ...loris].every(p => p.closed), () => `still open: ${idle.filter(p => !p.closed).length} idle, ${loris.filter(p => !p.closed).length} slow`)
    for (const p of loris) {
      expect(p.received).toMatch(/^HTTP\/1\.1 408 /)
      expect(p.received).toMatch(/content-type: application\/problem\+json/i)
      expect(p.received).toMatch(/x-request-id: \S+/i)
      expect(p.received).toContain('"code":"REQUEST_TIMEOUT"')
    }
  })

  it('closes a keep-alive socket once it has been idle for the keep-alive timeout', async () => {
    const p = open(socket => socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n'))
    await within(2000, () => p.received.includes('"status":"ok"'), () => `no answer: ${p.received}`)
    expect(p.closed).toBe(false)
    await within(4000, () => p.closed, () => 'the idle keep-alive socket stayed open')
  })

  it('refuses sockets beyond MAX_CONNECTIONS at once, and serves again once they are gone', async () => {
    const held = Array.from({ length: 400 }, () => open())
    await within(3000, async () => await connections() >= 400, () => 'the sockets did not connect')
    const extra = Array.from({ length: 10 }, () => open())
    await within(2000, () => extra.every(p => p.closed), () => 'sockets beyond the cap stayed open')
    expect(extra.every(p => p.received === '')).toBe(true)
    for (const p of held) p.socket.destroy()
    await within(3000, async () => await connections() < 400, () => 'the held sockets did not go away')
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200)
  })

  it('keeps an event stream open and live past every timeout', async () => {
    const { concertId, date } = await demoShow(t)
    const watcher = await joinQueue(t, 'long-watcher', concertId)
    const buyer = await joinQueue(t, 'late-buyer', concertId)
    const controller = new AbortController()
    const q = `access_token=${encodeURIComponent(watcher.headers.authorization.slice(7))}&queue_token=${encodeURIComponent(watcher.headers['queue-token'])}`
    const res = await fetch(`http://127.0.0.1:${port}/concerts/${date}/seats/events?${q}`, { signal: controller.signal })
    expect(res.status).toBe(200)
    const reader = res.body!.getReader()
    let text = ''
    void (async () => { for (;;) { const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true })); if (done) break; text += new TextDecoder().decode(value) } })()
    await sleep(3500) // longer than the request, headers and keep-alive timeouts
    expect((await hold(t, buyer.headers, date, 12)).statusCode).toBe(201)
    await within(3000, () => text.includes('"seatNo":12'), () => `no event after the timeouts: ${text}`)
    controller.abort()
  })
})
