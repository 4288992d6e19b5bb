// The waiting room's other states in the browser: before sales open (the opening time, the draw's commitment), the
// draw checked in the browser afterwards, "likely sold out", and sold out for now with the place kept until a
// refund brings a seat back.
import { createHash, createHmac } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { apiOf, type Api } from './support/api.js'
import { PHONE, horizontalOverflow, launchBrowser, newFan, screenshot, signIn } from './support/browser.js'
import { startServer, type RunningServer } from './support/server.js'

interface Draw { drawCommitment: string, seed: string | null, drawnAt: string | null, entries: string[] | null }

describe('the waiting room before the opening, near a sell-out and sold out', () => {
  let server: RunningServer
  let browser: Browser
  let api: Api

  beforeAll(async () => {
    // Two fans at a time; a short heartbeat, so a sold-out fan's poll (half of it) comes round quickly.
    server = await startServer({ QUEUE_MAX_ACTIVE: '2', QUEUE_HEARTBEAT_TIMEOUT_SECONDS: '10' })
    browser = await launchBrowser()
    api = apiOf(server.url)
  })

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  it('shows the opening time and the draw\'s commitment before sales open, then lets the fan check the draw in the browser', async () => {
    const opensAt = new Date(Date.now() + 8000).toISOString()
    const show = await api.createConcert('Draw Night', 20, { salesOpenAt: opensAt })
    expect((await api.join('early-bird', show.concertId)).status).toBe('PREQUEUE')
    const fan = await newFan(browser, { device: PHONE })
    const { page } = fan
    await signIn(page, server.url, 'draw-fan')
    await page.goto(`${server.url}/#/queue/${show.concertId}/${show.date}`)
    await page.getByRole('heading', { level: 1, name: 'Waiting room' }).waitFor()

    const state = page.getByTestId('queue-state')
    await expect.poll(() => state.getAttribute('data-status')).toBe('PREQUEUE')
    const kst = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Seoul' }).format(new Date(opensAt))
    await page.getByTestId('queue-opening').getByText(`Sales open at ${kst} KST`).waitFor()
    expect(await page.getByTestId('queue-countdown').innerText()).toMatch(/^0:0\d$/)
    const before = await (await fetch(`${server.url}/concerts/${show.concertId}/draw`)).json() as Draw
    expect(before.seed).toBeNull()
    expect(await page.getByTestId('draw-commitment').innerText()).toBe(before.drawCommitment)
    await page.getByTestId('draw-panel').getByText(/^Places are drawn when sales open, at /).waitFor()
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)
    await screenshot(page, 'prequeue')

    // At the opening both pre-queued fans are placed by the draw and, with two slots, admitted.
    await page.getByRole('heading', { level: 1, name: 'Choose a seat' }).waitFor({ timeout: 30_000 })
    const tokenId = await page.evaluate((id) => sessionStorage.getItem(`cr.tokenId.draw-fan.${id}`), show.concertId)
    expect(tokenId).toBeTruthy()
    await page.getByRole('link', { name: 'Check the draw' }).tap()
    await page.getByRole('heading', { level: 1, name: 'Check the opening draw' }).waitFor()

    // What the page says, computed again here from the published draw.
    const draw = await (await fetch(`${server.url}/concerts/${show.concertId}/draw`)).json() as Draw
    const seed = Buffer.from(draw.seed ?? '', 'hex')
    expect(createHash('sha256').update(seed).digest('hex')).toBe(draw.drawCommitment)
    const mine = createHmac('sha256', seed).update(tokenId ?? '').digest('hex')
    const place = (draw.entries ?? []).indexOf(mine) + 1
    expect(place).toBeGreaterThan(0)
    const checks = page.getByTestId('draw-checks').locator('li')
    await expect.poll(() => checks.count()).toBe(3)
    expect(await checks.evaluateAll(items => items.map(li => li.getAttribute('data-ok')))).toEqual(['true', 'true', 'true'])
    expect(await checks.nth(2).innerText()).toContain(`is number ${place} of 2.`)
    expect(await page.getByTestId('draw-key').innerText()).toBe(mine)
    expect(await page.getByTestId('draw-seed').innerText()).toBe(draw.seed)
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)
    await screenshot(page, 'draw-verified')

    await page.getByRole('button', { name: 'Back' }).tap()
    await page.getByRole('heading', { level: 1, name: 'Choose a seat' }).waitFor()
    expect(fan.errors).toEqual([])
    await fan.context.close()
  })

  it('warns that seats may sell out before the fan\'s turn, keeps the place while sold out, and moves on when a refund brings a seat back', async () => {
    const show = await api.createConcert('Last Seat', 1)
    // Two fans take both slots; one seat for sale: the third in line is told it may sell out first.
    expect((await api.join('slot-1', show.concertId)).status).toBe('ACTIVE')
    expect((await api.join('slot-2', show.concertId)).status).toBe('ACTIVE')
    const fan = await newFan(browser)
    const { page } = fan
    await signIn(page, server.url, 'hopeful-fan')
    await page.goto(`${server.url}/#/queue/${show.concertId}/${show.date}`)
    await expect.poll(() => page.getByTestId('queue-position').innerText()).toBe('1')
    await page.getByTestId('queue-likely').getByText(/^Seats may sell out before your turn/).waitFor()
    await screenshot(page, 'sold-out-likely')

    // The last seat is bought: the room is sold out, the fan keeps the place.
    const bought = await api.buy('slot-1', show, [1])
    const state = page.getByTestId('queue-state')
    await expect.poll(() => state.getAttribute('data-status'), { timeout: 20_000 }).toBe('SOLD_OUT')
    await state.getByText(/^Sold out for now\. You keep your place/).waitFor()
    expect(await page.getByTestId('queue-likely').innerText()).toBe('')
    await screenshot(page, 'queue-sold-out')

    // A refund brings the seat back: the place reads WAITING again, and the slot the buyer freed admits the fan.
    await api.refund('slot-1', bought)
    await page.getByRole('heading', { level: 1, name: 'Choose a seat' }).waitFor({ timeout: 30_000 })
    await expect.poll(() => page.locator('button[data-seat-no="1"]').getAttribute('data-status')).toBe('AVAILABLE')
    expect(fan.errors).toEqual([])
    await fan.context.close()
  })
})
