// A hold that is not paid in time: the countdown runs out, the page says the hold lapsed, the seat is free again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { firstShow, launchBrowser, newFan, openSeatMap, screenshot, seat, signIn, type Fan } from './support/browser.js'
import { startServer, type RunningServer } from './support/server.js'

const HOLD_SECONDS = 8

describe('a hold that lapses', () => {
  let server: RunningServer
  let browser: Browser
  let fan: Fan

  beforeAll(async () => {
    server = await startServer({ HOLD_TTL_SECONDS: String(HOLD_SECONDS) })
    browser = await launchBrowser()
    fan = await newFan(browser)
  })

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  it('explains missing points, then shows the hold as lapsed and the seat back on sale', async () => {
    const { page } = fan
    const show = await firstShow(server.url)
    await signIn(page, server.url, 'fan-late')
    await openSeatMap(page, server.url, show)

    await seat(page, 20).click()
    await page.getByRole('button', { name: 'Hold seat 20' }).click()
    await page.getByRole('heading', { level: 1, name: 'Your seat is held' }).waitFor()
    await expect.poll(() => page.getByTestId('hold-countdown').innerText()).toMatch(/^0:0\d$/)

    // No points: the shortfall is shown, and paying anyway gives a plain-language error, not a JSON dump.
    await page.getByText('You need ₩143,000 more to pay for this seat.').waitFor()
    await page.getByRole('button', { name: 'Pay ₩143,000' }).click()
    const alert = page.getByRole('alert').filter({ hasText: 'You do not have enough points.' })
    await alert.waitFor()
    expect(await alert.getAttribute('data-code')).toBe('INSUFFICIENT_POINTS')
    expect(await alert.innerText()).not.toContain('{')

    // The countdown reaches zero: the hold is reported as lapsed and paying is no longer offered.
    await page.getByTestId('hold-feedback').getByText('Your hold lapsed — the seat is back on sale for everyone.').waitFor({ timeout: (HOLD_SECONDS + 5) * 1000 })
    expect(await page.getByTestId('hold-countdown').innerText()).toBe('0:00')
    expect(await page.getByRole('button', { name: /^Pay/ }).count()).toBe(0)
    await screenshot(page, 'hold-lapsed')

    // Back on the map the seat is available again, and my reservations call the hold lapsed.
    await page.getByRole('link', { name: 'Back to the seat map' }).click()
    await expect.poll(() => seat(page, 20).getAttribute('data-status')).toBe('AVAILABLE')
    await page.getByRole('link', { name: 'My reservations' }).click()
    const row = page.getByTestId('reservation').first()
    await expect.poll(() => row.getAttribute('data-status')).toBe('EXPIRED')
    expect(await row.innerText()).toContain('Hold lapsed')
    expect(fan.errors).toEqual([])
  })
})
