// The embedded service goes away and comes back (a real process restart on the same SQLite file): the fan's hold
// stays on screen during the outage and the page recovers by itself; a restart with another secret means signing in again.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { chargeByApi, firstShow, launchBrowser, newFan, openSeatMap, holdSeat, signIn, screenshot, type Fan, type ShowRef } from './support/browser.js'
import { startServer, type RunningServer } from './support/server.js'

const SECRET = 'e2e-recovery-secret-0123456789abcdef'
const OTHER_SECRET = 'e2e-recovery-another-secret-9876543210'

describe('the app through a restart of the service', () => {
  let dir: string
  let server: RunningServer
  let browser: Browser
  let show: ShowRef
  let fan: Fan

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'e2e-recovery-'))
    // A fixed secret plays the persisted one: the restart keeps sign-ins valid.
    server = await startServer({ DATABASE_URL: `sqlite:${join(dir, 'concert.db')}`, JWT_SECRET: SECRET })
    browser = await launchBrowser()
    show = await firstShow(server.url)
    fan = await newFan(browser)
    await chargeByApi(server.url, 'fan-restart', 400_000)
    await signIn(fan.page, server.url, 'fan-restart')
  })

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('keeps the held seat and its timer on screen while the service is down, retries, and carries on when it is back', async () => {
    const { page } = fan
    await openSeatMap(page, server.url, show)
    await holdSeat(page, 5)
    await page.getByRole('link', { name: /^Points/ }).click()
    await page.getByRole('heading', { level: 1, name: 'Points' }).waitFor()

    await server.stop()
    // The banner still counts down (it needs no server), and leads back to the hold.
    const before = await page.getByTestId('banner-countdown').innerText()
    await expect.poll(() => page.getByTestId('banner-countdown').innerText()).not.toBe(before)
    await page.getByRole('link', { name: 'Continue to payment' }).click()
    await page.getByTestId('hold-connection').getByText(/^We cannot reach the service right now\. Your seat stays held/).waitFor()
    expect(await page.getByTestId('hold-seat').innerText()).toBe('Seat 5 · VIP')
    const countdown = page.getByTestId('hold-countdown')
    const shown = await countdown.innerText()
    expect(shown).toMatch(/^(5:00|4:\d\d)$/)
    await expect.poll(() => countdown.innerText()).not.toBe(shown)
    expect(await page.getByRole('button', { name: 'Pay ₩165,000' }).isDisabled()).toBe(true)
    await screenshot(page, 'hold-offline')

    // Back up: the page notices by itself (no reload), and paying works.
    await server.start()
    await expect.poll(() => page.getByTestId('hold-connection').innerText(), { timeout: 30_000 }).toBe('')
    await expect.poll(() => page.getByTestId('hold-balance').innerText()).toBe('₩400,000')
    await page.getByRole('button', { name: 'Pay ₩165,000' }).click()
    await page.getByRole('heading', { level: 1, name: 'Payment complete' }).waitFor()
    expect(fan.errors).toEqual([])
  })

  it('treats a 503 from a proxy or a store outage the same way: the hold from the copy, then the real one', async () => {
    const { page } = fan
    await openSeatMap(page, server.url, show)
    await holdSeat(page, 7)

    // Every API answer is a 503 problem for a while (what the service says when a backing store is down).
    const unavailable = JSON.stringify({ type: 'about:blank', title: 'Service unavailable', status: 503, code: 'SERVICE_UNAVAILABLE', detail: 'the database is down' })
    await page.route(/\/(reservations|users|concerts)\//, route => route.fulfill({ status: 503, contentType: 'application/problem+json', headers: { 'retry-after': '1' }, body: unavailable }))
    await page.reload()
    await page.getByTestId('hold-connection').getByText(/^We cannot reach the service right now/).waitFor()
    expect(await page.getByTestId('hold-seat').innerText()).toBe('Seat 7 · VIP')
    expect(await page.getByTestId('hold-countdown').innerText()).toMatch(/^(5:00|4:\d\d)$/)

    await page.unroute(/\/(reservations|users|concerts)\//)
    await expect.poll(() => page.getByTestId('hold-connection').innerText(), { timeout: 30_000 }).toBe('')
    await page.getByRole('button', { name: 'Cancel hold' }).click()
    await page.getByRole('heading', { level: 1, name: 'Hold cancelled' }).waitFor()
    expect(fan.errors).toEqual([])
  })

  it('sends the fan to sign in with a plain reason when a restart changed the secret, then back to their hold', async () => {
    const { page } = fan
    await openSeatMap(page, server.url, show)
    await holdSeat(page, 6)
    const holdUrl = page.url()

    // A restart without the persisted secret: every earlier sign-in is refused (401).
    await server.stop()
    await server.start({ JWT_SECRET: OTHER_SECRET })
    await page.reload()
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor()
    await page.getByText('You were signed out: your sign-in is no longer valid (it expired, or the service restarted). Sign in again to pick up where you left off.').waitFor()
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('user-id')
    expect(await page.getByLabel('User name').inputValue()).toBe('fan-restart')
    await page.getByRole('button', { name: 'Sign in' }).click()

    // Back where they were: the same hold, still counting, and payable.
    await page.getByRole('heading', { level: 1, name: 'Your seat is held' }).waitFor()
    expect(page.url()).toBe(holdUrl)
    expect(await page.getByTestId('hold-seat').innerText()).toBe('Seat 6 · VIP')
    await page.getByRole('button', { name: 'Pay ₩165,000' }).click()
    await page.getByRole('heading', { level: 1, name: 'Payment complete' }).waitFor()
    expect(fan.errors).toEqual([])
  })
})
