// A hold that is not paid in time, and the points it needs: the countdown on every page, one clear shortfall, the lapse said plainly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { firstShow, launchBrowser, newFan, openSeatMap, screenshot, holdSeat, seat, signIn, type Fan, type ShowRef } from './support/browser.js'
import { startServer, type RunningServer } from './support/server.js'

const HOLD_SECONDS = 10

describe('a hold that lapses', () => {
  let server: RunningServer
  let browser: Browser
  let show: ShowRef
  let fan: Fan
  let away: Fan

  beforeAll(async () => {
    server = await startServer({ HOLD_TTL_SECONDS: String(HOLD_SECONDS) })
    browser = await launchBrowser()
    show = await firstShow(server.url)
    fan = await newFan(browser)
    away = await newFan(browser)
    await signIn(fan.page, server.url, 'fan-late')
    await signIn(away.page, server.url, 'fan-away')
  })

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  it('keeps a live hold\'s countdown and the way back to paying on other pages', async () => {
    const { page } = away
    await openSeatMap(page, server.url, show)
    await holdSeat(page, 21)
    // The hold page has its own countdown: no banner repeating it there.
    expect(await page.getByTestId('hold-banner').count()).toBe(0)

    // On the Points page the hold is still on screen, counting down, with a link back to paying.
    await page.getByRole('link', { name: /^Points/ }).click()
    await page.getByRole('heading', { level: 1, name: 'Points' }).waitFor()
    const banner = page.getByTestId('hold-banner')
    await expect.poll(() => banner.innerText()).toMatch(/^You hold seat 21\. Time left to pay: 0:\d\d/)
    const before = await page.getByTestId('banner-countdown').innerText()
    await expect.poll(() => page.getByTestId('banner-countdown').innerText()).not.toBe(before)
    await page.getByRole('link', { name: 'Continue to payment' }).click()
    await page.getByRole('heading', { level: 1, name: 'Your seat is held' }).waitFor()
    expect(await page.getByTestId('hold-seat').innerText()).toBe('Seat 21 · R')
    await page.goBack()
    await page.getByRole('heading', { level: 1, name: 'Points' }).waitFor()
    await screenshot(page, 'hold-banner')
    expect(away.errors).toEqual([])
  })

  it('shows one shortfall with a top-up and keeps Pay off until the points cover it, then the points left after paying', async () => {
    const { page } = fan
    await openSeatMap(page, server.url, show)
    await holdSeat(page, 20)
    await expect.poll(() => page.getByTestId('hold-countdown').innerText()).toMatch(/^0:\d\d$/)

    // No points: Pay is off (and says why), one warning with the top-up, and nothing left after paying.
    const pay = page.getByRole('button', { name: 'Pay ₩143,000' })
    await page.getByText('You need ₩143,000 more to pay for this seat.').waitFor()
    expect(await pay.isDisabled()).toBe(true)
    expect(await pay.getAttribute('aria-describedby')).toBe('hold-short-reason')
    expect(await page.locator('#hold-short-reason').innerText()).toBe('You need ₩143,000 more to pay for this seat.')
    expect(await page.getByTestId('hold-after').innerText()).toBe('not enough')
    expect(await page.locator('.notice-warning').count()).toBe(1)
    expect(await page.getByRole('alert').count()).toBe(1)

    // The top-up covers it: the warning goes, Pay comes on, and the points after paying are shown before paying.
    await page.getByRole('button', { name: 'Charge ₩150,000' }).click()
    await page.getByText('Charged ₩150,000. Your balance is now ₩150,000.').waitFor()
    await expect.poll(() => pay.isDisabled()).toBe(false)
    expect(await page.getByTestId('hold-after').innerText()).toBe('₩7,000')
    expect(await page.getByTestId('hold-balance').innerText()).toBe('₩150,000')
    expect(await page.locator('.notice-warning').count()).toBe(0)
  })

  it('says a lapse plainly where the fan is: in the hold page\'s heading, or in the banner of another page', async () => {
    // Both holds of the tests before are still on screen, one on the Points page, one on its hold page.
    await away.page.getByText('Your hold on seat 21 lapsed: the seat is back on sale.').waitFor({ timeout: (HOLD_SECONDS + 5) * 1000 })
    expect(await away.page.getByRole('link', { name: 'Continue to payment' }).count()).toBe(0)
    expect(away.errors).toEqual([])

    const { page } = fan
    await page.getByRole('heading', { level: 1, name: 'Your hold lapsed' }).waitFor({ timeout: (HOLD_SECONDS + 5) * 1000 })
    await page.getByText('The time to pay ran out, so the seat is back on sale for everyone.').waitFor()
    expect(await page.getByText('Pay before the timer runs out').count()).toBe(0)
    expect(await page.getByTestId('hold-countdown').innerText()).toBe('0:00')
    expect(await page.getByRole('button', { name: /^Pay/ }).count()).toBe(0)
    expect(await page.title()).toBe('Your hold lapsed · Concert tickets')
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
