// The waiting room with one slot: the second fan waits at position 1 and is admitted live when the first leaves or pays.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { chargeByApi, firstShow, launchBrowser, newFan, openSeatMap, screenshot, seat, signIn, type Fan, type ShowRef } from './support/browser.js'
import { startServer, type RunningServer } from './support/server.js'

describe('the waiting room admits fans as slots free up', () => {
  let server: RunningServer
  let browser: Browser
  let show: ShowRef
  let first: Fan
  let second: Fan

  beforeAll(async () => {
    server = await startServer({ QUEUE_MAX_ACTIVE: '1' })
    browser = await launchBrowser()
    show = await firstShow(server.url)
    first = await newFan(browser)
    second = await newFan(browser)
    await signIn(first.page, server.url, 'first-fan')
    await signIn(second.page, server.url, 'second-fan')
  })

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  it('keeps the second fan waiting at position 1 and admits them when the first leaves', async () => {
    await openSeatMap(first.page, server.url, show)

    await second.page.goto(`${server.url}/#/queue/${show.concertId}/${show.date}`)
    await second.page.getByRole('heading', { level: 1, name: 'Waiting room' }).waitFor()
    await expect.poll(() => second.page.getByTestId('queue-position').innerText()).toBe('1')
    await second.page.getByText('You are next').waitFor()
    await second.page.locator('.live-indicator[data-state="live"]').waitFor()
    expect(await second.page.getByTestId('queue-eta').innerText()).not.toBe('')

    await first.page.getByRole('button', { name: 'Leave and free my place' }).click()
    await first.page.getByRole('heading', { level: 1, name: 'Concerts' }).waitFor()

    // No reload: the stream tells the waiting page, which moves on to the seat map.
    await second.page.getByRole('heading', { level: 1, name: 'Choose a seat' }).waitFor({ timeout: 20_000 })
    expect(second.page.url()).toContain(`#/seats/${show.concertId}/${show.date}`)
    await seat(second.page, 1).waitFor()
    expect(first.errors).toEqual([])
    expect(second.errors).toEqual([])
  })

  it('admits the waiting fan when the one in front pays', async () => {
    await chargeByApi(server.url, 'second-fan', 200_000)
    await first.page.goto(`${server.url}/#/queue/${show.concertId}/${show.date}`)
    await expect.poll(() => first.page.getByTestId('queue-position').innerText()).toBe('1')

    await seat(second.page, 40).click()
    await second.page.getByRole('button', { name: 'Hold seat 40' }).click()
    await second.page.getByRole('button', { name: 'Pay ₩121,000' }).click()
    await second.page.getByRole('heading', { level: 1, name: 'Payment complete' }).waitFor()

    await first.page.getByRole('heading', { level: 1, name: 'Choose a seat' }).waitFor({ timeout: 20_000 })
    await expect.poll(() => seat(first.page, 40).getAttribute('data-status')).toBe('SOLD')
    expect(first.errors).toEqual([])
    expect(second.errors).toEqual([])
  })

  it('lets a waiting fan leave the queue', async () => {
    const third = await newFan(browser)
    await signIn(third.page, server.url, 'third-fan')
    await third.page.goto(`${server.url}/#/queue/${show.concertId}/${show.date}`)
    await expect.poll(() => third.page.getByTestId('queue-position').innerText()).toBe('1')
    await third.page.getByRole('button', { name: 'Leave the queue' }).click()
    await third.page.getByText('You left the queue.').waitFor()
    await third.page.getByRole('button', { name: 'Join the queue again' }).waitFor()
    expect(third.errors).toEqual([])
    await third.context.close()
  })

  it('shows the place, the progress since joining and the server\'s estimate, with no looping animation', async () => {
    // The first fan holds the one slot (admitted in the test before); two more wait behind.
    const fourth = await newFan(browser)
    const fifth = await newFan(browser)
    await signIn(fourth.page, server.url, 'fourth-fan')
    await signIn(fifth.page, server.url, 'fifth-fan')
    await fourth.page.goto(`${server.url}/#/queue/${show.concertId}/${show.date}`)
    await expect.poll(() => fourth.page.getByTestId('queue-position').innerText()).toBe('1')
    const { page } = fifth
    await page.goto(`${server.url}/#/queue/${show.concertId}/${show.date}`)
    await expect.poll(() => page.getByTestId('queue-position').innerText()).toBe('2')
    const progress = page.getByTestId('queue-progress')
    expect(await progress.getAttribute('aria-valuenow')).toBe('0')
    await page.getByText('You joined at number 2.').waitFor()
    expect(await progress.locator('span').evaluate(el => getComputedStyle(el).animationName)).toBe('none')

    // The estimate is the server's, as it gave it: its p50–p90 range when it has one, else its single figure.
    const ticket = await page.evaluate(async () => {
      const token = Object.entries(sessionStorage).find(([key]) => key.startsWith('cr.queue.fifth-fan.'))?.[1] ?? ''
      const response = await fetch('/queue/tokens/current', { headers: { 'queue-token': token } })
      return await response.json() as { estimatedWaitSeconds: number, estimatedWaitRange?: { p50: number, p90: number } | null }
    })
    const minutes = (s: number) => Math.max(1, Math.round(s / 60))
    const range = ticket.estimatedWaitRange
    const expected = range
      ? (range.p90 < 60 ? 'under a minute' : minutes(range.p50) === minutes(range.p90) ? `about ${minutes(range.p50)} minute` : `about ${minutes(range.p50)}–${minutes(range.p90)} minutes`)
      : ticket.estimatedWaitSeconds === 0 ? 'calculating…' : ticket.estimatedWaitSeconds < 60 ? 'under a minute' : `about ${minutes(ticket.estimatedWaitSeconds)} minute`
    expect(await page.getByTestId('queue-eta').innerText()).toContain(expected)

    // The first fan leaves: the fourth is admitted, the fifth moves up, and the bar shows half the way done.
    await first.page.getByRole('button', { name: 'Leave and free my place' }).click()
    await fourth.page.getByRole('heading', { level: 1, name: 'Choose a seat' }).waitFor({ timeout: 20_000 })
    await expect.poll(() => page.getByTestId('queue-position').innerText(), { timeout: 20_000 }).toBe('1')
    await expect.poll(() => progress.getAttribute('aria-valuenow')).toBe('50')
    await page.getByText('You have moved up 1 of the 2 places since you joined.').waitFor()
    await page.getByText('You are next').waitFor()
    await screenshot(page, 'waiting-room')
    expect(fourth.errors).toEqual([])
    expect(fifth.errors).toEqual([])
    await fourth.context.close()
    await fifth.context.close()
  })
})
