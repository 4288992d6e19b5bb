// Requests refused before any route, sent as raw bytes: each answered with problem+json, a stable code and an x-request-id (issue 9 item 9).

import { connect } from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../support/app.js'

interface RawReply { status: number, headers: Record<string, string>, body: string }

/** Writes `payload` on a fresh socket and reads the reply until the server closes (or 3 s pass). */
function rawRequest (port: number, payload: string): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(payload))
    let received = ''
    const done = (): void => {
      clearTimeout(timer)
      socket.destroy()
      const cut = received.indexOf('\r\n\r\n')
      if (cut < 0) { reject(new Error(`no complete reply: ${JSON.stringify(received.slice(0, 300))}`)); return }
      const [statusLine, ...lines] = received.slice(0, cut).split('\r\n')
      const headers = Object.fromEntries(lines.map(l => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]))
      const length = Number(headers['content-length'] ?? NaN)
      const body = received.slice(cut + 4)
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: Number.isNaN(length) ? body : body.slice(0, length) })
    }
    const timer = setTimeout(done, 3000)
    socket.on('data', (d: Buffer) => {
      received += d.toString('latin1')
      // A keep-alive reply (the socket stays open) is complete once its body is in.
      const cut = received.indexOf('\r\n\r\n')
      const length = /content-length: *(\d+)/i.exec(received.slice(0, cut))?.[1]
      if (cut >= 0 && length !== undefined && received.length >= cut + 4 + Number(length)) done()
    })
    socket.on('close', done)
    socket.on('error', () => {})
  })
}

const HOST = 'Host: 127.0.0.1\r\n'

describe('errors before the route, on raw sockets', () => {
  let t: TestApp
  let port: number
  beforeAll(async () => {
    t = await buildTestApp('sqlite')
    await t.app.listen({ port: 0, host: '127.0.0.1' })
    port = (t.app.server.address() as AddressInfo).port
  })
  afterAll(async () => { await t?.close() })

  it.each([
    ['a path parameter longer than the router takes (FST_ERR_MAX_PARAM_LENGTH)', 414, 'URI_TOO_LONG', `GET /reservations/${'9'.repeat(150)} HTTP/1.1\r\n${HOST}\r\n`],
    ['a 9 kB URL', 414, 'URI_TOO_LONG', `GET /concerts?pad=${'x'.repeat(9000)} HTTP/1.1\r\n${HOST}\r\n`],
    ['a 20 kB URL (past Node\'s header limit)', 414, 'URI_TOO_LONG', `GET /concerts?pad=${'x'.repeat(20_000)} HTTP/1.1\r\n${HOST}\r\n`],
    ['a 20 kB header', 431, 'HEADERS_TOO_LARGE', `GET /concerts HTTP/1.1\r\n${HOST}X-Pad: ${'x'.repeat(20_000)}\r\n\r\n`],
    ['a URL that is not valid percent-encoding (%c0%ae)', 400, 'BAD_REQUEST', `GET /concerts/%c0%ae/seats HTTP/1.1\r\n${HOST}\r\n`],
    ['an unknown method', 400, 'BAD_REQUEST', `FOO /concerts HTTP/1.1\r\n${HOST}\r\n`],
    ['a request line that is not HTTP', 400, 'BAD_REQUEST', 'hello there\r\n\r\n'],
    ['a request line with a stray part', 400, 'BAD_REQUEST', `GET /concerts HTTP/1.1 extra\r\n${HOST}\r\n`],
    ['a header name with a space', 400, 'BAD_REQUEST', `GET /concerts HTTP/1.1\r\n${HOST}Bad Header: 1\r\n\r\n`],
    ['Content-Length: -1', 400, 'BAD_REQUEST', `POST /auth/token HTTP/1.1\r\n${HOST}Content-Type: application/json\r\nContent-Length: -1\r\n\r\n`],
    ['Content-Length and Transfer-Encoding together', 400, 'BAD_REQUEST', `POST /auth/token HTTP/1.1\r\n${HOST}Content-Type: application/json\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`],
    ['a chunk size that is not hex', 400, 'BAD_REQUEST', `POST /auth/token HTTP/1.1\r\n${HOST}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{"userId":"u"}\r\n0\r\n\r\n`],
    ['an HTTP/1.1 request without Host', 400, 'BAD_REQUEST', 'GET /concerts HTTP/1.1\r\n\r\n'],
    ['an Expect header other than 100-continue', 417, 'EXPECTATION_FAILED', `POST /auth/token HTTP/1.1\r\n${HOST}Expect: something-else\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`]
  ])('%s → %i %s as problem+json with a request id', async (_what, status, code, payload) => {
    const reply = await rawRequest(port, payload)
    expect(reply.status, reply.body).toBe(status)
    expect(reply.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(reply.headers['x-request-id']).toMatch(/^\S+$/)
    const problem = JSON.parse(reply.body) as Record<string, unknown>
    expect(problem).toMatchObject({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String), code, requestId: reply.headers['x-request-id'] })
    // The detail never echoes what was sent (a URL may hold a token).
    expect(String(problem.detail)).not.toMatch(/xxxx|9999|%c0/)
  })

  it('still serves a well-formed request afterwards', async () => {
    const reply = await rawRequest(port, `GET /health HTTP/1.1\r\n${HOST}Connection: close\r\n\r\n`)
    expect(reply.status).toBe(200)
    expect(JSON.parse(reply.body)).toEqual({ status: 'ok' })
  })
})
