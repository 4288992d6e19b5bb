// HTTP: venue layouts through the app — admin creation (a 50,000-seat body), sections, ?section=, versions, ETag/304 and lapses by time.

import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createManualClock } from '../../src/shared/clock.js'
import { APP_BACKENDS, buildTestApp, type TestApp } from '../support/app.js'
import { joinQueue } from '../support/journey.js'

const HOLD_TTL_SECONDS = 60
const ADMIN_BODY_LIMIT = 256 * 1024

interface Range { from: number, to: number, grade: string, price: number, section?: string, row?: string }

/** Floor (VIP, two rows), then East (R, rows 1 and 2), then seats 90–91 with no section given (section = grade S). */
const ARENA: Range[] = [
  { from: 101, to: 104, grade: 'VIP', price: 200_000, section: 'Floor', row: 'A' },
  { from: 1, to: 3, grade: 'R', price: 100_000, section: 'East' },
  { from: 105, to: 106, grade: 'VIP', price: 180_000, section: 'Floor', row: 'B' },
  { from: 4, to: 6, grade: 'R', price: 100_000, section: 'East' },
  { from: 90, to: 91, grade: 'S', price: 50_000 }
]

describe.each(APP_BACKENDS)('venue layout over HTTP on %s', (backend) => {
  let t: TestApp
  let base: string
  const clock = createManualClock()
  const admin = (): Record<string, string> => t.as('venue-admin', 'admin')
  let fans = 0

  beforeAll(async () => {
    t = await buildTestApp(backend, { QUEUE_MAX_ACTIVE: '1000', HOLD_TTL_SECONDS: String(HOLD_TTL_SECONDS), ADMIN_BODY_LIMIT_BYTES: String(ADMIN_BODY_LIMIT) }, { clock })
    await t.app.listen({ port: 0, host: '127.0.0.1' })
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`
  })
  afterAll(async () => { await t?.close() })

  async function createConcert (seats: Range[], extra: Record<string, unknown> = {}, show: Record<string, unknown> = {}) {
    return t.req('POST', '/admin/concerts', {
      headers: admin(),
      body: { title: 'Arena Tour', venue: 'Dome', ...extra, shows: [{ date: '2026-12-24', startsAt: '2026-12-24T10:00:00.000Z', ...show, seats }] }
    })
  }

  /** A new concert with the arena layout and an admitted fan's headers for it. */
  async function arena (): Promise<{ concertId: string, headers: Record<string, string>, fan: () => Promise<Record<string, string>> }> {
    const created = await createConcert(ARENA)
    expect(created.statusCode, created.body).toBe(201)
    const concertId = created.json().id as string
    const fan = async (): Promise<Record<string, string>> => (await joinQueue(t, `venue-fan-${++fans}`, concertId)).headers
    return { concertId, headers: await fan(), fan }
  }

  const get = (url: string, headers: Record<string, string>) => t.req('GET', url, { headers })
  const statuses = async (headers: Record<string, string>, query = ''): Promise<string> =>
    (await get(`/concerts/2026-12-24/seats${query}`, headers)).json().seats.map((s: { seatNo: number, status: string }) => `${s.seatNo}${s.status[0]}`).join(' ')

  it('creates a concert with sections, rows, a sales opening and no single-seat gaps, and lists its sales opening', async () => {
    const created = await createConcert(ARENA, { salesOpenAt: '2026-12-10T03:00:00.000Z' }, { noSingleSeatGaps: true })
    expect(created.statusCode, created.body).toBe(201)
    expect(created.json()).toEqual({
      id: expect.any(String), title: 'Arena Tour', venue: 'Dome', dates: ['2026-12-24'], salesOpenAt: '2026-12-10T03:00:00.000Z',
      shows: [{ id: expect.any(String), date: '2026-12-24', startsAt: '2026-12-24T10:00:00.000Z' }]
    })
    const listed = (await t.req('GET', '/concerts')).json().concerts
    expect(listed.find((c: { id: string }) => c.id === created.json().id)).toMatchObject({ salesOpenAt: '2026-12-10T03:00:00.000Z' })
    expect(listed.find((c: { title: string }) => c.title !== 'Arena Tour')).toMatchObject({ salesOpenAt: null })
    expect(JSON.stringify(listed)).not.toMatch(/[0-9a-f]{64}/) // the draw seed never leaves the database
  })

  it('lists the sections nearest the stage first with grades, prices and seats available now', async () => {
    const { headers, fan } = await arena()
    const res = await get('/concerts/2026-12-24/sections', headers)
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/^application\/json/)
    expect(res.json()).toEqual({
      concertId: expect.any(String),
      date: '2026-12-24',
      version: expect.any(Number),
      sections: [
        { section: 'Floor', grades: ['VIP'], priceMin: 180_000, priceMax: 200_000, totalSeats: 6, availableSeats: 6 },
        { section: 'East', grades: ['R'], priceMin: 100_000, priceMax: 100_000, totalSeats: 6, availableSeats: 6 },
        { section: 'S', grades: ['S'], priceMin: 50_000, priceMax: 50_000, totalSeats: 2, availableSeats: 2 }
      ]
    })
    const held = await t.req('POST', '/reservations', { headers: await fan(), body: { date: '2026-12-24', seatNo: 102 } })
    expect(held.statusCode, held.body).toBe(201)
    const after = (await get('/concerts/2026-12-24/sections', headers)).json()
    expect(after.sections[0]).toMatchObject({ section: 'Floor', availableSeats: 5 })
    expect(after.version).toBe(res.json().version + 1)
  })

  it('gives each seat its section and row, the whole map and one section\'s both in seat order', async () => {
    const { headers } = await arena()
    const whole = (await get('/concerts/2026-12-24/seats', headers)).json()
    expect(whole.seats.map((s: { seatNo: number }) => s.seatNo)).toEqual([1, 2, 3, 4, 5, 6, 90, 91, 101, 102, 103, 104, 105, 106])
    expect(whole.seats[3]).toEqual({ seatNo: 4, section: 'East', row: '2', grade: 'R', price: 100_000, status: 'AVAILABLE' })
    expect(whole.seats[12]).toEqual({ seatNo: 105, section: 'Floor', row: 'B', grade: 'VIP', price: 180_000, status: 'AVAILABLE' })
    const floor = await get('/concerts/2026-12-24/seats?section=Floor', headers)
    expect(floor.statusCode).toBe(200)
    expect(floor.json()).toMatchObject({ concertId: whole.concertId, date: '2026-12-24', version: whole.version })
    expect(floor.json().seats.map((s: { seatNo: number, row: string }) => `${s.seatNo}${s.row}`)).toEqual(['101A', '102A', '103A', '104A', '105B', '106B'])
    expect((await get('/concerts/2026-12-24/seats?section=S', headers)).json().seats.map((s: { row: string }) => s.row)).toEqual(['1', '1'])
  })

  it('answers an unknown section with 404 SECTION_NOT_FOUND and an empty one with 400, on the map, its stream, changing nothing', async () => {
    const { headers } = await arena()
    for (const url of ['/concerts/2026-12-24/seats?section=Balcony', '/concerts/2026-12-24/seats/events?section=Balcony']) {
      const res = await get(url, headers)
      expect(res.statusCode, url).toBe(404)
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
      expect(res.json()).toMatchObject({ status: 404, code: 'SECTION_NOT_FOUND' })
    }
    expect((await get('/concerts/2026-12-24/seats?section=', headers)).json()).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' })
    expect(await statuses(headers)).not.toMatch(/[HS]/)
  })

  it('answers If-None-Match with the current ETag by 304 and no body, and a changed map by 200 with a new tag and version', async () => {
    const { headers, fan } = await arena()
    for (const url of ['/concerts/2026-12-24/seats', '/concerts/2026-12-24/seats?section=East', '/concerts/2026-12-24/sections']) {
      const first = await get(url, headers)
      const etag = first.headers.etag as string
      expect(etag, url).toMatch(/^W\/"[\w.-]+"$/)
      const again = await get(url, { ...headers, 'if-none-match': etag })
      expect(again.statusCode, url).toBe(304)
      expect(again.body).toBe('')
      expect(again.headers.etag).toBe(etag)
      expect((await get(url, { ...headers, 'if-none-match': `"other", ${etag}` })).statusCode).toBe(304)
      expect((await get(url, { ...headers, 'if-none-match': 'W/"stale"' })).statusCode).toBe(200)
    }
    const east = await get('/concerts/2026-12-24/seats?section=East', headers)
    const floor = await get('/concerts/2026-12-24/seats?section=Floor', headers)
    expect((await t.req('POST', '/reservations', { headers: await fan(), body: { date: '2026-12-24', seatNo: 5 } })).statusCode).toBe(201)
    const eastAfter = await get('/concerts/2026-12-24/seats?section=East', { ...headers, 'if-none-match': east.headers.etag as string })
    expect(eastAfter.statusCode).toBe(200)
    expect(eastAfter.headers.etag).not.toBe(east.headers.etag)
    expect(eastAfter.json().version).toBe(east.json().version + 1)
    expect(eastAfter.json().seats.find((s: { seatNo: number }) => s.seatNo === 5).status).toBe('HELD')
    // Floor's seats did not change: its copy is still current.
    expect((await get('/concerts/2026-12-24/seats?section=Floor', { ...headers, 'if-none-match': floor.headers.etag as string })).statusCode).toBe(304)
  })

  it('shows a hold AVAILABLE once its time has passed, before any sweeper runs, with a new ETag', async () => {
    const { headers, fan } = await arena()
    expect((await t.req('POST', '/reservations', { headers: await fan(), body: { date: '2026-12-24', seatNo: 90 } })).statusCode).toBe(201)
    const held = await get('/concerts/2026-12-24/seats?section=S', headers)
    expect(held.json().seats[0].status).toBe('HELD')
    clock.advance(HOLD_TTL_SECONDS * 1000)
    const lapsed = await get('/concerts/2026-12-24/seats?section=S', { ...headers, 'if-none-match': held.headers.etag as string })
    expect(lapsed.statusCode).toBe(200)
    expect(lapsed.json().seats[0].status).toBe('AVAILABLE')
    expect(lapsed.json().version).toBe(held.json().version)
    expect((await get('/concerts/2026-12-24/sections', headers)).json().sections[2]).toMatchObject({ section: 'S', availableSeats: 2 })
  })

  it('streams one section\'s changes only when asked, each with its section and the show\'s version', async () => {
    const { headers, fan } = await arena()
    const bearer = headers.authorization.slice('Bearer '.length)
    const res = await fetch(`${base}/concerts/2026-12-24/seats/events?section=Floor&access_token=${bearer}&queue_token=${encodeURIComponent(headers['queue-token'])}`)
    expect(res.status).toBe(200)
    const reader = res.body!.getReader()
    try {
      await new Promise(resolve => setTimeout(resolve, 100))
      const buyer = await fan()
      for (const seatNo of [1, 103]) expect((await t.req('POST', '/reservations', { headers: buyer, body: { date: '2026-12-24', seatNo } })).statusCode).toBe(201)
      const version = (await get('/concerts/2026-12-24/sections', headers)).json().version
      let text = ''
      while (!text.includes('"seatNo":103')) text += new TextDecoder().decode((await reader.read()).value)
      const events = text.split('\n').filter(l => l.startsWith('data: ')).map(l => JSON.parse(l.slice(6)))
      expect(events).toEqual([{ seatNo: 103, section: 'Floor', status: 'HELD', version }])
    } finally {
      await reader.cancel()
    }
  })

  it('refuses overlapping seat numbers with 400 naming the range, and a row named twice in a section, creating nothing', async () => {
    const before = (await t.req('GET', '/concerts')).json().concerts.length
    const overlap = await createConcert([...ARENA, { from: 100, to: 102, grade: 'S', price: 1, section: 'Floor' }])
    expect(overlap.statusCode).toBe(400)
    expect(overlap.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'body/shows/0/seats/5', message: 'seats 101–102 are also in range 0 of this show' }] })
    const twice = await createConcert([{ from: 1, to: 2, grade: 'R', price: 1, section: 'A', row: '1' }, { from: 3, to: 4, grade: 'R', price: 1, section: 'A', row: '1' }])
    expect(twice.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'body/shows/0/seats/1' }] })
    const unknown = await createConcert([{ from: 1, to: 2, grade: 'R', price: 1, gate: 'north' } as Range])
    expect(unknown.json()).toMatchObject({ code: 'VALIDATION_FAILED' })
    expect((await t.req('GET', '/concerts')).json().concerts).toHaveLength(before)
  })

  it('takes a 50,000-seat venue in one body on the admin route, while a body over 16 kB elsewhere is still 413', async () => {
    const seats: Range[] = Array.from({ length: 500 }, (_, i) => ({
      from: i * 100 + 1, to: i * 100 + 100, grade: i < 100 ? 'VIP' : 'R', price: i < 100 ? 200_000 : 100_000, section: `Section ${Math.floor(i / 25) + 1}`, row: String((i % 25) + 1)
    }))
    const body = { title: 'Stadium', venue: 'Main Stadium', shows: [{ date: '2026-12-31', startsAt: '2026-12-31T10:00:00.000Z', seats }] }
    const bytes = Buffer.byteLength(JSON.stringify(body))
    expect(bytes).toBeGreaterThan(16 * 1024)
    expect(bytes).toBeLessThan(ADMIN_BODY_LIMIT / 4)
    const created = await t.req('POST', '/admin/concerts', { headers: admin(), body })
    expect(created.statusCode, created.body).toBe(201)
    const { headers } = await joinQueue(t, 'stadium-fan', created.json().id as string)
    const sections = (await get('/concerts/2026-12-31/sections', headers)).json().sections
    expect(sections).toHaveLength(20)
    expect(sections.reduce((n: number, s: { totalSeats: number }) => n + s.totalSeats, 0)).toBe(50_000)
    expect((await get('/concerts/2026-12-31/seats?section=Section%2020', headers)).json().seats).toHaveLength(2500)

    const elsewhere = await t.req('POST', '/users/big/points/charge', { headers: t.as('big'), body: { amount: 1, pad: 'x'.repeat(17 * 1024) } })
    expect(elsewhere.statusCode).toBe(413)
    expect(elsewhere.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' })
    const tooBig = await t.req('POST', '/admin/concerts', { headers: admin(), body: { ...body, title: 'x'.repeat(ADMIN_BODY_LIMIT) } })
    expect(tooBig.statusCode).toBe(413)
  })
})
