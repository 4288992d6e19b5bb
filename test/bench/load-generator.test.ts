// The bench's load generators (wrk with bench/load/wrk.lua, autocannon children) against a small real HTTP server.

import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chooseGenerator, onPath, type GeneratorChoice } from '../../bench/load/generator.js'
import { createLoadRunner, type LoadRequest } from '../../bench/load/run-load.js'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..')

/** Answers /take/<n> with 201 {"n"} for even n and 409 {"code":"TAKEN"} for odd n, 15 ms later; counts hits per path. */
function startServer (): Promise<{ port: number, hits: Map<string, number>, close: () => Promise<void> }> {
  const hits = new Map<string, number>()
  const server = http.createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      const path = req.url ?? ''
      hits.set(path, (hits.get(path) ?? 0) + 1)
      const n = Number(/^\/take\/(\d+)$/.exec(path)?.[1] ?? -1)
      setTimeout(() => {
        if (n < 0) { res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}'); return }
        if (n % 2 === 1) { res.writeHead(409, { 'content-type': 'application/problem+json' }).end('{"code":"TAKEN"}'); return }
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ n, body: req.headers['x-item'] }))
      }, 15)
    })
  })
  return new Promise(resolve => server.listen(0, '127.0.0.1', () => resolve({
    port: (server.address() as AddressInfo).port,
    hits,
    close: () => new Promise(done => { server.closeAllConnections(); server.close(() => done()) })
  })))
}

const generators: GeneratorChoice[] = onPath('wrk') ? ['wrk', 'autocannon'] : ['autocannon']

describe.each(generators)('the %s load generator', (choice) => {
  let server: Awaited<ReturnType<typeof startServer>>
  let tmp: string
  beforeAll(async () => { server = await startServer(); tmp = mkdtempSync(join(os.tmpdir(), 'bench-load-test-')) })
  afterAll(async () => { await server.close(); rmSync(tmp, { recursive: true, force: true }) })

  it('sends each request of a once-only run at most once, warm-up included, and keeps the bodies of the captured status', async () => {
    server.hits.clear()
    const { generator } = chooseGenerator({ choice, threads: 2, tmp, root: ROOT })
    const load = createLoadRunner({ generator, tmp, connections: 4 })
    const requests: LoadRequest[] = Array.from({ length: 300 }, (_, n) => ({ method: 'POST', path: `/take/${n}`, headers: { 'x-item': `item ${n}` }, body: JSON.stringify({ n }) }))
    const r = await load.run({ name: 'once', ports: [server.port], durationSec: 20, warmupSec: 0.3, requests, once: true, codes: true, capture: 201, watch: [process.pid] })

    const taken = [...server.hits].filter(([path]) => path.startsWith('/take/'))
    expect(taken.every(([, count]) => count === 1)).toBe(true)
    // Replies still in flight when a pass stops are not counted, but their requests did reach the server.
    expect(taken.length).toBeLessThanOrEqual(300)
    expect(taken.length).toBeGreaterThanOrEqual(r.requests)
    expect(r.exhausted).toBe(true)
    expect(r.sent).toBe(300)
    const bodies = r.captured.map(b => JSON.parse(b) as { n: number, body: string })
    expect(bodies.length).toBeGreaterThan(0)
    expect(bodies.every(b => b.n % 2 === 0 && b.body === `item ${b.n}`)).toBe(true)
    expect(new Set(bodies.map(b => b.n)).size).toBe(bodies.length)
    expect(Object.keys(r.outcomes).filter(k => k !== 'network' && k !== 'timeout').sort()).toEqual(['201', '409 TAKEN'])
  })

  it('cycles the requests of a timed run and reports the watched process\'s CPU time per request', async () => {
    server.hits.clear()
    const { generator } = chooseGenerator({ choice, threads: 2, tmp, root: ROOT })
    const load = createLoadRunner({ generator, tmp, connections: 4 })
    const r = await load.run({ name: 'cycle', ports: [server.port], durationSec: 1, warmupSec: 0, requests: [{ method: 'GET', path: '/take/0' }, { method: 'GET', path: '/take/1' }], codes: true, watch: [process.pid] })

    expect(r.requests).toBeGreaterThan(2)
    expect(server.hits.get('/take/0')).toBeGreaterThan(1)
    expect(r.outcomes['201']).toBeGreaterThan(0)
    expect(r.outcomes['409 TAKEN']).toBeGreaterThan(0)
    expect(r.cpu.msPerRequest).toBeGreaterThan(0)
    expect(r.memory[0].peakMiB).toBeGreaterThan(0)
  })
})
