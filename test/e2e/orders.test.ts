// Orders of several seats in the browser: one running total, one hold, one payment; best available in one tap;
// and the refusals a hold can meet (a seat just taken, a lone seat left, the hold limit) explained on the map.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { apiOf, type Api, type SeatRange } from './support/api.js'
import { DESKTOP, PHONE, horizontalOverflow, launchBrowser, newFan, openSeatMap, screenshot, seat, signIn, type ShowRef } from './support/browser.js'
import { startServer, type RunningServer } from './support/server.js'

/** A small hall: two rows on the floor, one in the balcony (24 seats, drawn whole). */
const HALL: SeatRange[] = [
  { from: 1, to: 8, grade: 'VIP', price: 150_000, section: 'Floor', row: 'A' },
  { from: 9, to: 16, grade: 'R', price: 100_000, section: 'Floor', row: 'B' },
  { from: 17, to: 24, grade: 'S', price: 70_000, section: 'Balcony', row: '1' }
]

const heading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name }).waitFor()

describe('orders of several seats', () => {
  let server: RunningServer
  let browser: Browser
  let api: Api

  beforeAll(async () => {
    server = await startServer()
    browser = await launchBrowser()
    api = apiOf(server.url)
  })

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  const hall = async (title: string, options: { noSingleSeatGaps?: boolean, seats?: SeatRange[] } = {}): Promise<ShowRef> => {
    const created = await api.createConcert(title, options.seats ?? HALL, { noSingleSeatGaps: options.noSingleSeatGaps })
    return { concertId: created.concertId, date: created.date, title }
  }

  it('picks several seats with one running total, holds them as one order and pays for them once', async () => {
    const show = await hall('Group Night')
    const fan = await newFan(browser, { device: DESKTOP })
    const { page } = fan
    await api.charge('group-fan', 500_000)
    await signIn(page, server.url, 'group-fan')
    await openSeatMap(page, server.url, show)

    for (const no of [10, 11, 12]) await seat(page, no).click()
    const selection = page.getByTestId('selection')
    expect(await selection.locator('li').allInnerTexts()).toEqual(['Seat 10 · grade R · ₩100,000', 'Seat 11 · grade R · ₩100,000', 'Seat 12 · grade R · ₩100,000'])
    expect(await page.getByTestId('selection-total').innerText()).toBe('Total ₩300,000 · 3 of 4 seats')
    // Taking one out updates the total at once.
    await seat(page, 11).click()
    expect(await page.getByTestId('selection-total').innerText()).toBe('Total ₩200,000 · 2 of 4 seats')
    await seat(page, 11).click()
    await screenshot(page, 'seats-selected')

    await page.getByRole('button', { name: 'Hold seats 10, 11 and 12' }).click()
    await heading(page, 'Your seats are held')
    expect(await page.getByTestId('hold-seat').innerText()).toBe('Seats 10, 11 and 12 · R')
    expect(await page.getByTestId('hold-where').innerText()).toBe('Section Floor, row B')
    expect(await page.getByTestId('hold-price').innerText()).toBe('₩300,000')
    expect(await page.getByTestId('hold-after').innerText()).toBe('₩200,000')
    await screenshot(page, 'hold-several')

    await page.getByRole('button', { name: 'Pay ₩300,000' }).click()
    await heading(page, 'Payment complete')
    expect(await page.getByTestId('ticket-seat').innerText()).toBe('10, 11, 12')
    await page.getByTestId('ticket').getByText('₩200,000').waitFor()

    // On the server: one order of three seats and one payment, not three.
    const auth = { authorization: `Bearer ${await api.token('group-fan')}` }
    const { reservations } = await (await fetch(`${server.url}/users/group-fan/reservations`, { headers: auth })).json() as { reservations: Array<{ seatNos: number[], status: string }> }
    expect(reservations.map(r => [r.status, r.seatNos])).toEqual([['CONFIRMED', [10, 11, 12]]])
    const { items } = await (await fetch(`${server.url}/users/group-fan/points/history`, { headers: auth })).json() as { items: Array<{ type: string, amount: number }> }
    expect(items.filter(i => i.type === 'USE').map(i => i.amount)).toEqual([300_000])
    expect(fan.errors).toEqual([])
    await fan.context.close()
  })

  it('keeps the running total and the Hold button of a several-seat pick in reach on a phone', async () => {
    const show = await hall('Pocket Night')
    const fan = await newFan(browser, { device: PHONE })
    const { page } = fan
    await signIn(page, server.url, 'pocket-fan')
    await openSeatMap(page, server.url, show)
    for (const no of [2, 3, 4]) await seat(page, no).tap()
    const hold = page.getByRole('button', { name: 'Hold seats 2, 3 and 4' })
    const total = page.getByTestId('selection-total')
    for (const locator of [hold, total]) {
      const found = await locator.boundingBox()
      expect(found).not.toBeNull()
      expect((found?.y ?? 0) + (found?.height ?? 0)).toBeLessThanOrEqual(844)
    }
    expect(await total.innerText()).toBe('Total ₩450,000 · 3 of 4 seats')
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)
    await screenshot(page, 'phone-seats-selected', { fullPage: false })
    expect(fan.errors).toEqual([])
    await fan.context.close()
  })

  it('holds the best seats together in a section or a grade in one tap, and says when no such block is left', async () => {
    const show = await hall('Best Night')
    // VIP (row A, 1–8) has seats 3 and 6 sold: pairs are left, but no four side by side.
    await api.buy('vip-buyer', show, [3, 6])
    const fan = await newFan(browser, { device: DESKTOP })
    const { page } = fan
    await signIn(page, server.url, 'best-fan')
    await openSeatMap(page, server.url, show)
    const best = page.getByTestId('best-available')

    await best.getByLabel('Seats').selectOption('4')
    await best.getByLabel('Where').selectOption({ label: 'Grade VIP, any section' })
    await best.getByRole('button', { name: 'Hold the best 4 seats' }).click()
    const none = best.getByRole('alert')
    await none.getByText('No 4 seats side by side are left in grade VIP. Try fewer seats or another grade.').waitFor()
    expect(await none.getAttribute('data-code')).toBe('SEAT_UNAVAILABLE')

    await best.getByLabel('Seats').selectOption('3')
    await best.getByLabel('Where').selectOption({ label: 'Section Balcony' })
    await screenshot(page, 'best-available')
    await best.getByRole('button', { name: 'Hold the best 3 seats' }).click()
    await heading(page, 'Your seats are held')
    expect(await page.getByTestId('hold-seat').innerText()).toBe('Seats 17, 18 and 19 · S')
    expect(await page.getByTestId('hold-where').innerText()).toBe('Section Balcony, row 1')
    expect(fan.errors).toEqual([])
    await fan.context.close()
  })

  it('marks the seats someone just took on the map and keeps the rest of the pick', async () => {
    const show = await hall('Rush Night')
    const fan = await newFan(browser, { device: DESKTOP })
    const { page } = fan
    // No live updates for this fan: only the refused hold can tell them.
    await fan.context.route('**/seats/events**', route => route.abort())
    await signIn(page, server.url, 'rush-fan')
    await openSeatMap(page, server.url, show)
    for (const no of [20, 21, 22]) await seat(page, no).click()
    await api.buy('rush-rival', show, [21], { pay: false })

    await page.getByRole('button', { name: 'Hold seats 20, 21 and 22' }).click()
    const alert = page.getByTestId('seat-feedback').getByRole('alert')
    await alert.getByText('Sorry — someone just took seat 21 (marked on the map). Please pick another one. Your other seats are still selected.').waitFor()
    expect(await alert.getAttribute('data-code')).toBe('SEAT_UNAVAILABLE')
    expect(await seat(page, 21).getAttribute('data-flag')).toBe('taken')
    expect(await seat(page, 21).getAttribute('aria-label')).toBe('Seat 21, grade S, ₩70,000, held, just taken')
    expect(await seat(page, 20).getAttribute('aria-pressed')).toBe('true')
    expect(await seat(page, 22).getAttribute('aria-pressed')).toBe('true')
    await page.getByRole('button', { name: 'Hold seats 20 and 22' }).waitFor()
    await screenshot(page, 'seat-unavailable', { fullPage: false })
    expect(fan.errors).toEqual([])
    await fan.context.close()
  })

  it('shows the lone seat a pick would leave, and adds it in one tap', async () => {
    const show = await hall('Gapless Night', { noSingleSeatGaps: true, seats: [{ from: 1, to: 6, grade: 'R', price: 100_000, section: 'Floor', row: 'A' }] })
    const fan = await newFan(browser, { device: DESKTOP })
    const { page } = fan
    await signIn(page, server.url, 'gap-fan')
    await openSeatMap(page, server.url, show)
    await seat(page, 2).click()
    await seat(page, 3).click()
    await page.getByRole('button', { name: 'Hold seats 2 and 3' }).click()

    const alert = page.getByTestId('seat-feedback').getByRole('alert')
    await alert.getByText(/^That would leave seat 1 empty on its own, which this show does not allow \(marked on the map\)\./).waitFor()
    expect(await alert.getAttribute('data-code')).toBe('SINGLE_SEAT_GAP')
    expect(await seat(page, 1).getAttribute('data-flag')).toBe('gap')
    await screenshot(page, 'single-seat-gap', { fullPage: false })

    await alert.getByRole('button', { name: 'Add seat 1' }).click()
    expect(await seat(page, 1).getAttribute('aria-pressed')).toBe('true')
    expect(await seat(page, 1).getAttribute('data-flag')).toBeNull()
    await page.getByRole('button', { name: 'Hold seats 1, 2 and 3' }).click()
    await heading(page, 'Your seats are held')
    expect(await page.getByTestId('hold-seat').innerText()).toBe('Seats 1, 2 and 3 · R')
    expect(fan.errors).toEqual([])
    await fan.context.close()
  })

  it('explains the hold limit with the seats the fan already holds and how many more they may pick', async () => {
    const show = await hall('Limit Night')
    const fan = await newFan(browser, { device: DESKTOP })
    const { page } = fan
    await signIn(page, server.url, 'limit-fan')
    await openSeatMap(page, server.url, show)
    for (const no of [1, 2, 3]) await seat(page, no).click()
    await page.getByRole('button', { name: 'Hold seats 1, 2 and 3' }).click()
    await heading(page, 'Your seats are held')
    await page.goBack()
    await heading(page, 'Choose a seat')
    await expect.poll(() => seat(page, 2).getAttribute('data-status')).toBe('MINE')
    expect(await page.getByTestId('already-held').innerText()).toBe('You already hold seats 1, 2 and 3 for this show: up to 1 more.')

    await seat(page, 5).click()
    await seat(page, 6).click()
    await page.getByRole('button', { name: 'Hold seats 5 and 6' }).click()
    const alert = page.getByTestId('seat-feedback').getByRole('alert')
    await alert.getByText('You can hold up to 4 seats for this show at once, and you already hold seats 1, 2 and 3. Pick 1 or fewer, or pay for or cancel that hold first.').waitFor()
    expect(await alert.getAttribute('data-code')).toBe('HOLD_LIMIT_REACHED')
    await screenshot(page, 'hold-limit', { fullPage: false })
    expect(fan.errors).toEqual([])
    await fan.context.close()
  })
})
