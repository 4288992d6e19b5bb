// A fan's whole journey in the browser: sign in, charge points, queue, pick a seat by keyboard, pay, see the ticket;
// Back and Forward between those screens; the ticket and cancelling in My reservations; the Korean copy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { chargeByApi, firstShow, launchBrowser, newFan, openSeatMap, screenshot, seat, signIn, type Fan } from './support/browser.js'
import { startServer, type RunningServer } from './support/server.js'

const heading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name }).waitFor()

/** Every request the page makes, with its headers (to check where the tokens travel). */
function recordRequests (page: Page): Array<{ url: string, headers: Record<string, string> }> {
  const seen: Array<{ url: string, headers: Record<string, string> }> = []
  page.on('request', request => { seen.push({ url: request.url(), headers: request.headers() }) })
  return seen
}

describe('a fan books a seat in the browser', () => {
  let server: RunningServer
  let browser: Browser
  let fan: Fan
  let requests: Array<{ url: string, headers: Record<string, string> }>

  beforeAll(async () => {
    server = await startServer()
    browser = await launchBrowser()
    fan = await newFan(browser)
    requests = recordRequests(fan.page)
  })

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  it('signs in, charges points, queues, holds a seat with the keyboard, pays and finds the ticket in their reservations', async () => {
    const { page } = fan
    const show = await firstShow(server.url)

    // The app is served by the service itself at /, and asks a stranger to sign in.
    await page.goto(`${server.url}/`)
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor()
    // The one thing to do here is to type a name: the box has the focus from the start.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('user-id')
    await screenshot(page, 'sign-in')
    await signIn(page, server.url, 'fan-journey')

    // Concerts with their dates and availability.
    await page.getByRole('heading', { level: 2, name: show.title }).waitFor()
    expect(await page.locator('.date-row').count()).toBeGreaterThanOrEqual(1)
    await expect.poll(() => page.locator('.date-row').first().innerText()).toContain('50 of 50 seats left')
    await screenshot(page, 'concerts')

    // Points: empty at first, charged through the form, the history shows the charge.
    await page.getByRole('link', { name: /^Points/ }).click()
    await page.getByRole('heading', { level: 1, name: 'Points' }).waitFor()
    await expect.poll(() => page.getByTestId('points-balance').innerText()).toBe('₩0')
    await page.getByLabel('Amount (won)').fill('200000')
    await page.getByRole('button', { name: 'Charge', exact: true }).click()
    await expect.poll(() => page.getByTestId('points-balance').innerText()).toBe('₩200,000')
    await page.getByText('Charged ₩200,000. Your balance is now ₩200,000.').waitFor()
    await page.getByRole('cell', { name: 'Charge' }).waitFor()
    await screenshot(page, 'points')

    // Book: the waiting room admits at once (a free slot), the seat map shows grades, prices and states.
    await page.getByRole('link', { name: 'Concerts' }).click()
    await page.getByRole('link', { name: new RegExp(`^Book ${show.title}`) }).first().click()
    await page.getByRole('heading', { level: 1, name: 'Choose a seat' }).waitFor()
    await expect.poll(() => page.locator('button[data-seat-no]').count()).toBe(50)
    expect(await seat(page, 1).getAttribute('aria-label')).toBe('Seat 1, grade VIP, ₩165,000, available')
    expect(await seat(page, 15).getAttribute('aria-label')).toBe('Seat 15, grade R, ₩143,000, available')
    await page.getByText('VIP ₩165,000').waitFor()
    await page.locator('.live-indicator[data-state="live"]').waitFor()
    await screenshot(page, 'seat-map')

    // Keyboard only: Tab reaches the map's one tab stop, arrows move, Enter selects.
    await seat(page, 1).focus()
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight')
    await page.keyboard.press('ArrowDown')
    await expect.poll(() => page.evaluate('document.activeElement.dataset.seatNo')).toBe('15')
    await page.keyboard.press('Enter')
    expect(await seat(page, 15).getAttribute('aria-pressed')).toBe('true')
    await page.getByRole('button', { name: 'Hold seat 15' }).click()

    // The hold: a live countdown, the seat and its price, and enough points to pay.
    await page.getByRole('heading', { level: 1, name: 'Your seat is held' }).waitFor()
    const countdown = page.getByTestId('hold-countdown')
    await expect.poll(() => countdown.innerText()).toMatch(/^(5:00|4:5\d)$/)
    const before = await countdown.innerText()
    await expect.poll(() => countdown.innerText(), { timeout: 5000 }).not.toBe(before)
    expect(await countdown.innerText()).toMatch(/^4:5\d$/)
    expect(await page.getByTestId('hold-seat').innerText()).toBe('Seat 15 · R')
    await screenshot(page, 'hold')

    // Pay, then the confirmation with the seat.
    await page.getByRole('button', { name: 'Pay ₩143,000' }).click()
    await page.getByRole('heading', { level: 1, name: 'Payment complete' }).waitFor()
    expect(await page.getByTestId('ticket-seat').innerText()).toBe('15')
    await page.getByTestId('ticket').getByText('₩57,000').waitFor() // the points left
    await screenshot(page, 'payment-confirmation')

    // My reservations lists the confirmed seat.
    await page.getByRole('link', { name: 'See my reservations' }).click()
    await page.getByRole('heading', { level: 1, name: 'My reservations' }).waitFor()
    const row = page.getByTestId('reservation').first()
    expect(await row.getAttribute('data-status')).toBe('CONFIRMED')
    expect(await row.innerText()).toContain('Seat 15')
    expect(await row.innerText()).toContain('Confirmed')
    await screenshot(page, 'reservations')

    // The history shows the payment next to the charge.
    await page.getByRole('link', { name: /^Points/ }).click()
    await page.getByRole('cell', { name: 'Payment' }).waitFor()
    await expect.poll(() => page.getByTestId('points-balance').innerText()).toBe('₩57,000')

    // The bearer and the queue token travelled in headers only: no URL the app asked for carries one,
    // the live streams included (a fetch-based reader, not EventSource with query tokens).
    expect(requests.filter(r => /access_token|queue_token|eyJ/.test(r.url)).map(r => r.url)).toEqual([])
    const seatStream = requests.find(r => r.url.endsWith(`/concerts/${show.date}/seats/events`))
    expect(seatStream?.headers.authorization).toMatch(/^Bearer /)
    expect(seatStream?.headers['queue-token']).toBeTruthy()
    expect(fan.errors).toEqual([])
  })

  it('moves between screens with Back and Forward, one press each, never to a screen that only forwards again', async () => {
    const walker = await newFan(browser)
    const { page } = walker
    const show = await firstShow(server.url)
    await chargeByApi(server.url, 'fan-walker', 200_000)
    await signIn(page, server.url, 'fan-walker')

    // Concerts → (the waiting room admits at once and steps aside) → the seat map; Back is the concerts again.
    await page.getByRole('link', { name: new RegExp(`^Book ${show.title}`) }).first().click()
    await heading(page, 'Choose a seat')
    await page.goBack()
    await heading(page, 'Concerts')
    await page.goForward()
    await heading(page, 'Choose a seat')

    // Seat map → hold; Back returns to the map, Forward to the hold.
    await seat(page, 33).click()
    await page.getByRole('button', { name: 'Hold seat 33' }).click()
    await heading(page, 'Your seat is held')
    await page.goBack()
    await heading(page, 'Choose a seat')
    expect(await seat(page, 33).getAttribute('data-status')).toBe('MINE')
    await page.goForward()
    await heading(page, 'Your seat is held')

    // Paying turns the hold into the ticket: Back goes to the seat map, not to a paid hold or the ticket again.
    await page.getByRole('button', { name: 'Pay ₩121,000' }).click()
    await heading(page, 'Payment complete')
    await page.goBack()
    await heading(page, 'Choose a seat')
    await page.goForward()
    await heading(page, 'Payment complete')

    // Top-level pages are entries too.
    await page.getByRole('link', { name: 'My reservations', exact: true }).click()
    await heading(page, 'My reservations')
    await page.getByRole('link', { name: /^Points/ }).click()
    await heading(page, 'Points')
    await page.goBack()
    await heading(page, 'My reservations')
    await page.goBack()
    await heading(page, 'Payment complete')
    expect(walker.errors).toEqual([])
    await walker.context.close()
  })

  it('opens the ticket of a bought seat and cancels a hold from My reservations, and marks the bought seat as yours', async () => {
    const { page } = fan
    const show = await firstShow(server.url)
    await openSeatMap(page, server.url, show)
    // Seat 15 was bought in the first test: it is the fan's own, not just "sold".
    expect(await seat(page, 15).getAttribute('data-status')).toBe('OWNED')
    expect(await seat(page, 15).getAttribute('aria-label')).toBe('Seat 15, grade R, ₩143,000, your seat')
    await seat(page, 16).click()
    await page.getByRole('button', { name: 'Hold seat 16' }).click()
    await heading(page, 'Your seat is held')

    await page.getByRole('link', { name: 'My reservations' }).click()
    await heading(page, 'My reservations')
    const held = page.getByTestId('reservation').filter({ hasText: 'Seat 16' })
    expect(await held.getAttribute('data-status')).toBe('HELD')
    await page.getByTestId('hold-banner').waitFor()
    await held.getByRole('button', { name: 'Cancel hold' }).click()
    const cancelled = page.getByTestId('reservation').filter({ hasText: 'Seat 16' })
    await expect.poll(() => cancelled.getAttribute('data-status')).toBe('CANCELLED')
    expect(await cancelled.innerText()).toContain('Cancelled')
    // The cancelled hold is gone from the banner too.
    await expect.poll(() => page.getByTestId('hold-banner').count()).toBe(0)

    const bought = page.getByTestId('reservation').filter({ hasText: 'Seat 15' })
    await bought.getByRole('link', { name: 'View ticket' }).click()
    await heading(page, 'Reservation')
    const ticket = page.getByTestId('ticket')
    expect(await page.getByTestId('ticket-seat').innerText()).toBe('15')
    expect(await ticket.innerText()).toContain('₩143,000')
    expect(await ticket.innerText()).toMatch(/Paid at\s+\d{1,2} \w{3} \d{4}, \d{2}:\d{2} KST/)
    await screenshot(page, 'ticket')
    await page.getByRole('link', { name: 'Back to my reservations' }).click()
    await heading(page, 'My reservations')

    // The seat is free again for everyone.
    await openSeatMap(page, server.url, show)
    expect(await seat(page, 16).getAttribute('data-status')).toBe('AVAILABLE')
    expect(fan.errors).toEqual([])
  })

  it('switches between English and Korean and keeps the choice', async () => {
    const { page } = fan
    await page.goto(`${server.url}/#/reservations`)
    await page.getByRole('heading', { level: 1, name: 'My reservations' }).waitFor()
    await page.getByRole('button', { name: /Switch to Korean/ }).click()
    await page.getByRole('heading', { level: 1, name: '내 예매' }).waitFor()
    expect(await page.locator('html').getAttribute('lang')).toBe('ko')
    expect(await page.locator('[data-testid="reservation"][data-status="CONFIRMED"]').first().innerText()).toContain('예매 확정')
    await page.reload()
    await page.getByRole('heading', { level: 1, name: '내 예매' }).waitFor()
    await screenshot(page, 'reservations-ko')
    await page.getByRole('button', { name: /Switch to English/ }).click()
    await page.getByRole('heading', { level: 1, name: 'My reservations' }).waitFor()
    expect(fan.errors).toEqual([])
  })

  it('follows the browser language for a first visit in Korean', async () => {
    const korean = await newFan(browser, { locale: 'ko-KR' })
    await korean.page.goto(`${server.url}/`)
    await korean.page.getByRole('heading', { level: 1, name: '로그인' }).waitFor()
    expect(await korean.page.locator('html').getAttribute('lang')).toBe('ko')
    await korean.context.close()
  })
})
