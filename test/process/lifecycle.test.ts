// The real process: configuration errors stop it with the variable named; SIGTERM finishes work and exits cleanly.

import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer } from 'node:net'
import { describe, expect, it } from 'vitest'

const freePort = (): Promise<number> => new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)) })
})

function start (env: Record<string, string>): { child: ChildProcess, output: () => string, exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env: { ...process.env, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout?.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr?.on('data', (d: Buffer) => { out += d.toString() })
  const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)))
  return { child, output: () => out, exited }
}

async function waitForHealth (base: string, ms = 60_000): Promise<void> {
  const until = Date.now() + ms
  while (Date.now() < until) {
    try { if ((await fetch(`${base}/health`)).ok) return } catch { /* not up yet */ }
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  throw new Error('service did not come up')
}

describe('the service process', () => {
  it.each([
    [{ HOLD_TTL_SECONDS: 'five' }, 'HOLD_TTL_SECONDS'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ DATABASE_URL: 'mysql://root@127.0.0.1:3306/x' }, 'JWT_SECRET']
  ])('refuses to start on an invalid configuration %o, naming %s', { timeout: 60_000 }, async (env, name) => {
    const p = start({ DATABASE_URL: 'sqlite::memory:', ...env })
    expect(await p.exited).toBe(2)
    expect(p.output()).toContain(name)
  })

  it('starts with the demo concert, then on SIGTERM ends its streams, finishes and exits 0', { timeout: 90_000 }, async () => {
    const port = await freePort()
    const dir = mkdtempSync(join(tmpdir(), 'concert-'))
    const base = `http://127.0.0.1:${port}`
    const p = start({ PORT: String(port), DATABASE_URL: `sqlite:${join(dir, 'c.db')}` })
    await waitForHealth(base)
    const concerts = await (await fetch(`${base}/concerts`)).json() as { concerts: Array<{ id: string, dates: string[] }> }
    expect(concerts.concerts).toHaveLength(1)
    expect(concerts.concerts[0].dates.length).toBeGreaterThanOrEqual(3)

    const { accessToken } = await (await fetch(`${base}/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"userId":"sse"}' })).json() as { accessToken: string }
    const join1 = await (await fetch(`${base}/queue/tokens`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` }, body: JSON.stringify({ concertId: concerts.concerts[0].id }) })).json() as { token: string }
    const stream = await fetch(`${base}/queue/tokens/current/events?queue_token=${encodeURIComponent(join1.token)}`)
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const reader = stream.body!.getReader()
    const first = new TextDecoder().decode((await reader.read()).value)
    expect(first).toContain('retry:')

    const inFlight = Array.from({ length: 20 }, () => fetch(`${base}/concerts/dates`).then(r => r.status, () => 'refused' as const))
    const stoppedAt = Date.now()
    p.child.kill('SIGTERM')
    // The stream ends (the server closes it) rather than holding shutdown open.
    for (;;) { const { done } = await reader.read(); if (done) break }
    expect(await p.exited).toBe(0)
    expect(Date.now() - stoppedAt).toBeLessThan(8000)
    const statuses = await Promise.all(inFlight)
    // Requests already accepted are answered; none fails with a 5xx from a half-closed store.
    expect(statuses.filter(s => typeof s === 'number' && s >= 500 && s !== 503)).toEqual([])
    expect(p.output()).toContain('shutting down')
  })
})
