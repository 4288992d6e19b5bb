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
    await screenshot(second.page, 'waiting-room')

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
})
