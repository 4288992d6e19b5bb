// The arena's own machinery: how a fan picks seats on a section's map, and the lean HTTP client of its fan processes.

import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { blocksOf, type MapSeat } from '../../bench/arena/seat-pick.js'
import { WirePool } from '../../bench/arena/wire.js'
import { renderRequest } from '../../bench/load/requests.js'

/** A row of seats `from`.. with statuses from a pattern: `.` AVAILABLE, `x` SOLD. */
const row = (label: string, from: number, pattern: string): MapSeat[] =>
  [...pattern].map((c, i) => ({ seatNo: from + i, row: label, status: c === '.' ? 'AVAILABLE' : 'SOLD' }))

describe('an arena fan picking seats', () => {
  it('finds every block of adjacent available seats within one row, never across rows', () => {
    const seats = [...row('1', 1, '..x..'), ...row('2', 6, '...')]
    expect(blocksOf(seats, 2, false)).toEqual([[1, 2], [4, 5], [6, 7], [7, 8]])
    expect(blocksOf(seats, 3, false)).toEqual([[6, 7, 8]])
    expect(blocksOf(seats, 4, false)).toEqual([])
  })

  it('leaves out blocks that would leave a lone seat when the show forbids single-seat gaps', () => {
    // x . . . . x: taking 1–2 of the four would leave one seat beside the block.
    const seats = row('A', 1, 'x....x')
    expect(blocksOf(seats, 2, false)).toEqual([[2, 3], [3, 4], [4, 5]])
    expect(blocksOf(seats, 2, true)).toEqual([[2, 3], [4, 5]])
    expect(blocksOf(seats, 3, true)).toEqual([])
    expect(blocksOf(seats, 4, true)).toEqual([[2, 3, 4, 5]])
    // A row's end counts as taken: of three free seats at its start, either pair leaves the third alone, and so
    // does the middle seat taken on its own; an end seat leaves a pair.
    expect(blocksOf(row('B', 1, '...x'), 2, true)).toEqual([])
    expect(blocksOf(row('B', 1, '...x'), 1, true)).toEqual([[1], [3]])
  })

  it('may take a lone seat someone else left', () => {
    expect(blocksOf(row('C', 1, 'x.x'), 1, true)).toEqual([[2]])
  })
})

describe('the fan processes\' HTTP client', () => {
  let server: http.Server
  let port: number
  const order: string[] = []
  const load = { now: 0, peak: 0 }
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      load.peak = Math.max(load.peak, ++load.now)
      res.on('finish', () => { load.now-- })
      req.resume()
      req.on('end', () => {
        const url = req.url ?? ''
        order.push(url)
        if (url === '/chunked') { res.writeHead(200, { 'content-type': 'application/json' }); res.write('{"a":'); setTimeout(() => res.end('1}'), 5); return }
        if (url === '/tagged') {
          if (req.headers['if-none-match'] === 'W/"v1"') { res.writeHead(304, { etag: 'W/"v1"' }).end(); return }
          res.writeHead(200, { etag: 'W/"v1"', 'content-type': 'application/json' }).end('{"seats":[]}')
          return
        }
        if (url === '/close') { res.writeHead(200, { connection: 'close', 'content-length': 2 }).end('ok'); return }
        const body = JSON.stringify({ url, socket: `${req.socket.remotePort}` })
        setTimeout(() => res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body), 10)
      })
    })
    server.keepAliveTimeout = 200
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', () => resolve()))
    port = (server.address() as AddressInfo).port
  })
  afterAll(async () => { server.closeAllConnections(); await new Promise(resolve => server.close(resolve)) })

  const get = (path: string, headers: Record<string, string> = {}): Buffer => renderRequest({ method: 'GET', path, headers })

  it('keeps its sockets alive, at most its size at once, and reads fixed-length, chunked and 304 replies', async () => {
    const pool = new WirePool(port, 2)
    load.peak = 0
    const replies = await Promise.all(Array.from({ length: 6 }, (_, i) => pool.request(get(`/n${i}`))))
    const sockets = new Set(replies.map(r => (JSON.parse(r.body.toString()) as { socket: string }).socket))
    expect(replies.every(r => r.status === 200)).toBe(true)
    expect(sockets.size).toBe(2)
    expect(load.peak).toBe(2)
    const chunked = await pool.request(get('/chunked'))
    expect(JSON.parse(chunked.body.toString())).toEqual({ a: 1 })
    const first = await pool.request(get('/tagged'))
    expect(first.etag).toBe('W/"v1"')
    const again = await pool.request(get('/tagged', { 'if-none-match': first.etag! }))
    expect(again.status).toBe(304)
    expect(again.body.length).toBe(0)
    pool.close()
  })

  it('serves urgent requests and the others that wait for a socket in turn, urgent first, so neither starves', async () => {
    const pool = new WirePool(port, 1)
    order.length = 0
    const all = [pool.request(get('/busy')), pool.request(get('/join1')), pool.request(get('/join2')), pool.request(get('/join3')), pool.request(get('/poll1'), true), pool.request(get('/poll2'), true)]
    await Promise.all(all)
    expect(order).toEqual(['/busy', '/poll1', '/join1', '/poll2', '/join2', '/join3'])
    pool.close()
  })

  it('opens a new socket when the server closed the last one, after a reply or while idle', async () => {
    const pool = new WirePool(port, 1)
    expect((await pool.request(get('/close'))).status).toBe(200)
    expect((await pool.request(get('/after-close'))).status).toBe(200)
    // Longer than the server's keep-alive timeout: the idle socket is gone when the next request goes out.
    await new Promise(resolve => setTimeout(resolve, 400))
    expect((await pool.request(get('/after-idle'))).status).toBe(200)
    pool.close()
  })

  it('answers status 0 to what is still waiting when it is closed', async () => {
    const pool = new WirePool(port, 1)
    const slow = pool.request(get('/slow'))
    const queued = pool.request(get('/queued'))
    pool.close()
    expect((await queued).status).toBe(0)
    expect((await slow).error).toBe('CLOSED')
    expect((await pool.request(get('/late'))).error).toBe('CLOSED')
  })
})
