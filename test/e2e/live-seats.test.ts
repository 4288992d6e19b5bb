// Two fans on the same seat map: what one holds, cancels or buys changes on the other's screen without a reload;
// the concert list follows availability by itself, and a sold-out date says so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { startProxy } from '../support/tcp-proxy.js'
import { apiOf } from './support/api.js'
import { chargeByApi, firstShow, launchBrowser, newFan, openSeatMap, screenshot, holdSeat, seat, signIn, type Fan, type ShowRef } from './support/browser.js'
import { startServer, type RunningServer } from './support/server.js'

describe('the seat map updates live', () => {
  let server: RunningServer
  let browser: Browser
  let show: ShowRef
  let alice: Fan
  let bob: Fan

  beforeAll(async () => {
    server = await startServer()
    browser = await launchBrowser()
    show = await firstShow(server.url)
    alice = await newFan(browser)
    bob = await newFan(browser)
    await chargeByApi(server.url, 'alice', 500_000)
    await signIn(alice.page, server.url, 'alice')
    await signIn(bob.page, server.url, 'bob')
    await openSeatMap(alice.page, server.url, show)
    await openSeatMap(bob.page, server.url, show)
    await bob.page.locator('.live-indicator[data-state="live"]').waitFor()
  })

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  it('shows a seat held by another fan as held, then available again when they cancel', async () => {
    expect(await seat(bob.page, 7).getAttribute('data-status')).toBe('AVAILABLE')

    await holdSeat(alice.page, 7)

    await expect.poll(() => seat(bob.page, 7).getAttribute('data-status')).toBe('HELD')
    expect(await seat(bob.page, 7).getAttribute('aria-label')).toBe('Seat 7, grade VIP, ₩165,000, held')
    expect(await seat(bob.page, 7).getAttribute('aria-disabled')).toBe('true')
    await bob.page.getByText('49 available · 1 held · 0 sold').waitFor()

    // Clicking a held seat explains instead of selecting it.
    // (aria-disabled, not disabled: it stays focusable and announced, so force past Playwright's enabled check.)
    await seat(bob.page, 7).click({ force: true })
    await bob.page.getByTestId('seat-feedback').getByText('Seat 7 is not available.').waitFor()
    expect(await seat(bob.page, 7).getAttribute('aria-pressed')).toBe('false')

    // Cancelled: the page says so in its heading (not "Your seat is held" any more) and offers the map again.
    await alice.page.getByRole('button', { name: 'Cancel hold' }).click()
    await alice.page.getByRole('heading', { level: 1, name: 'Hold cancelled' }).waitFor()
    await alice.page.getByText('Your hold was cancelled and the seat is free again.').waitFor()
    expect(await alice.page.getByRole('button', { name: /^Pay/ }).count()).toBe(0)
    await expect.poll(() => seat(bob.page, 7).getAttribute('data-status')).toBe('AVAILABLE')
    expect(alice.errors).toEqual([])
    expect(bob.errors).toEqual([])
  })

  it('takes a seat out of the other fan\'s selection when it is held, and shows a sold seat as sold', async () => {
    await alice.page.getByRole('link', { name: 'Back to the seat map' }).click()
    await seat(alice.page, 9).waitFor()

    // Bob has seat 9 selected when Alice holds it: his selection is cleared with a message.
    await seat(bob.page, 9).click()
    expect(await seat(bob.page, 9).getAttribute('aria-pressed')).toBe('true')
    await holdSeat(alice.page, 9)
    await bob.page.getByTestId('seat-feedback').getByText('Seat 9 was just taken by another fan. Please pick another.').waitFor()
    expect(await seat(bob.page, 9).getAttribute('aria-pressed')).toBe('false')
    expect(await bob.page.getByRole('button', { name: 'Hold seat', exact: true }).isDisabled()).toBe(true)
    await screenshot(bob.page, 'seat-map-live')

    // Alice pays: Bob sees the seat sold.
    await alice.page.getByRole('button', { name: 'Pay ₩165,000' }).click()
    await alice.page.getByRole('heading', { level: 1, name: 'Payment complete' }).waitFor()
    await expect.poll(() => seat(bob.page, 9).getAttribute('data-status')).toBe('SOLD')
    expect(await seat(bob.page, 9).getAttribute('aria-label')).toBe('Seat 9, grade VIP, ₩165,000, sold')
    expect(alice.errors).toEqual([])
    expect(bob.errors).toEqual([])
  })

  it('tells a fan whose live updates were cut off that the seat was just taken when they try to hold it', async () => {
    const carol = await newFan(browser)
    // Carol's browser gets no seat events at all, so only the API can tell her the seat is gone.
    await carol.context.route('**/seats/events**', route => route.abort())
    await signIn(carol.page, server.url, 'carol')
    await openSeatMap(carol.page, server.url, show)
    await seat(carol.page, 11).click()
    await carol.page.getByRole('button', { name: 'Hold seat 11' }).waitFor()

    await holdSeat(bob.page, 11)

    await carol.page.getByRole('button', { name: 'Hold seat 11' }).click()
    const alert = carol.page.getByRole('alert').filter({ hasText: 'someone just took seat 11 (marked on the map)' })
    await alert.waitFor()
    expect(await alert.getAttribute('data-code')).toBe('SEAT_UNAVAILABLE')
    expect(await alert.innerText()).not.toContain('{')
    expect(await seat(carol.page, 11).getAttribute('data-status')).toBe('HELD')
    expect(await seat(carol.page, 11).getAttribute('data-flag')).toBe('taken')
    expect(carol.errors).toEqual([])
    await carol.context.close()
  })

  it('updates the concert list by itself when a date sells out, and offers no booking for it', async () => {
    const api = apiOf(server.url)
    const tiny = await api.createConcert('Tiny Hall Night', 2)
    const { page } = bob
    await page.getByRole('link', { name: 'Concerts', exact: true }).click()
    const row = page.locator(`.date-row[data-concert="${tiny.concertId}"]`)
    await expect.poll(() => row.innerText()).toContain('2 of 2 seats left')
    await row.getByRole('link', { name: /^Book Tiny Hall Night/ }).waitFor()

    await api.buy('buyer-1', tiny, [1, 2])
    // No reload: the open list refreshes availability on its own (every 10 s).
    await expect.poll(() => page.locator(`.date-row[data-concert="${tiny.concertId}"]`).innerText(), { timeout: 20_000 }).toContain('Sold out')
    expect(await page.locator(`.date-row[data-concert="${tiny.concertId}"]`).getByRole('link').count()).toBe(0)
    expect(bob.errors).toEqual([])
  })

  it('shows a sold-out date opened by link as sold out, with nothing to pick and other dates offered', async () => {
    const api = apiOf(server.url)
    // One date of two is sold out: the waiting room lets the fan in (the concert still sells), the map says so.
    const gone = await api.createConcert('Gone Tonight', 2, { daysAhead: [10, 11] })
    await api.buy('buyer-2', gone, [1, 2])
    const { page } = bob
    await page.goto(`${server.url}/#/queue/${gone.concertId}/${gone.date}`)
    await page.getByRole('heading', { level: 1, name: 'Choose a seat' }).waitFor()
    await page.getByTestId('selection').getByText('This date is sold out.').waitFor()
    expect(await page.getByText(/^Select (an|up to \d+) available seat/).count()).toBe(0)
    expect(await page.getByRole('button', { name: /^Hold seat/ }).isVisible()).toBe(false)
    await page.getByRole('link', { name: 'See other dates' }).waitFor()
    expect(await page.getByTestId('seat-summary').innerText()).toBe('0 available · 0 held · 2 sold')
    await screenshot(page, 'sold-out')

    // Every date sold out: the waiting room is closed (409 SOLD_OUT) and says why, with no place taken.
    await api.buy('buyer-2', { concertId: gone.concertId, date: gone.dates[1] }, [1, 2])
    await page.goto(`${server.url}/#/queue/${gone.concertId}/${gone.dates[1]}`)
    const closed = page.getByTestId('queue-sold-out')
    await closed.getByText(/^This concert is sold out, so the waiting room is closed\./).waitFor()
    await closed.getByRole('link', { name: 'See other concerts' }).waitFor()
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Waiting room')
    expect(await page.locator('button[data-seat-no]').count()).toBe(0)
    expect(bob.errors).toEqual([])
  })

  it('says seats may come back when every seat is held but not yet paid', async () => {
    const api = apiOf(server.url)
    const held = await api.createConcert('Held Out', 1)
    await api.buy('buyer-3', held, [1], { pay: false })
    const { page } = bob
    await page.goto(`${server.url}/#/queue/${held.concertId}/${held.date}`)
    await page.getByRole('heading', { level: 1, name: 'Choose a seat' }).waitFor()
    await page.getByTestId('selection').getByText(/^Every seat is taken right now\. Held seats come back on sale/).waitFor()
    expect(await page.getByText('This date is sold out.').count()).toBe(0)
    expect(bob.errors).toEqual([])
  })

  it('reconnects the live map by itself after the connection drops, and catches up on what changed meanwhile', async () => {
    // Dave reaches the service through a TCP proxy the test can cut (a dropped connection, then a way back).
    const target = new URL(server.url)
    let proxy = await startProxy({ host: target.hostname, port: Number(target.port) })
    const viaProxy = `http://127.0.0.1:${proxy.port}`
    const dave = await newFan(browser)
    try {
      await signIn(dave.page, viaProxy, 'dave')
      await openSeatMap(dave.page, viaProxy, show)
      const indicator = dave.page.locator('.live-indicator')
      await expect.poll(() => indicator.getAttribute('data-state')).toBe('live')
      expect(await seat(dave.page, 30).getAttribute('data-status')).toBe('AVAILABLE')

      await proxy.stop()
      await expect.poll(() => indicator.getAttribute('data-state')).toBe('connecting')
      expect(await indicator.innerText()).toBe('Live updates interrupted — reconnecting…')
      // Seat 30 is held while Dave hears nothing.
      await apiOf(server.url).buy('erin', show, [30], { pay: false })
      proxy = await startProxy({ host: target.hostname, port: Number(target.port) }, proxy.port)

      await expect.poll(() => indicator.getAttribute('data-state'), { timeout: 30_000 }).toBe('live')
      await expect.poll(() => seat(dave.page, 30).getAttribute('data-status')).toBe('HELD')
      expect(dave.errors).toEqual([])
    } finally {
      await dave.context.close()
      await proxy.stop()
    }
  })
})
