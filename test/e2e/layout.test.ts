// The layout on a 390 px phone and a 1440×900 desktop, and the Korean copy (sentences, particles, Seoul times).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Locator, Page } from 'playwright-core'
import { DESKTOP, PHONE, chargeByApi, firstShow, horizontalOverflow, launchBrowser, newFan, openSeatMap, screenshot, seat, signIn, type ShowRef } from './support/browser.js'
import { startServer, type RunningServer } from './support/server.js'

async function box (locator: Locator): Promise<{ x: number, y: number, width: number, height: number }> {
  const found = await locator.boundingBox()
  if (!found) throw new Error('not on screen')
  return found
}

/** Every seat button's rendered size. */
async function seatSizes (page: Page): Promise<Array<{ width: number, height: number }>> {
  return await page.locator('button[data-seat-no]').evaluateAll(buttons => buttons.map(b => {
    const r = b.getBoundingClientRect()
    return { width: r.width, height: r.height }
  }))
}

describe('the app on a phone and on a desktop', () => {
  let server: RunningServer
  let browser: Browser
  let show: ShowRef

  beforeAll(async () => {
    server = await startServer()
    browser = await launchBrowser()
    show = await firstShow(server.url)
  })

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  it('fits a 390 px phone on every page: no sideways scroll, a big balance in the header, the whole history, 44 px seats, the key on screen, a touch hint', async () => {
    const fan = await newFan(browser, { device: PHONE })
    const { page } = fan
    for (const amount of [1_000_000, 250_000, 9_000]) await chargeByApi(server.url, 'phone-fan', amount)
    await signIn(page, server.url, 'phone-fan')
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)

    // Points: the header carries ₩1,259,000 without spilling, and each history row is whole on screen.
    await page.getByRole('link', { name: /^Points/ }).click()
    await page.getByRole('heading', { level: 1, name: 'Points' }).waitFor()
    await expect.poll(() => page.locator('#balance-chip').innerText()).toContain('₩1,259,000')
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)
    for (const link of await page.locator('.nav-list a').all()) expect((await box(link)).x + (await box(link)).width).toBeLessThanOrEqual(390)
    await expect.poll(() => page.locator('.history td').count()).toBe(12)
    const cells = await page.locator('.history td').evaluateAll(tds => tds.map(td => {
      const r = td.getBoundingClientRect()
      return { left: r.left, right: r.right, clipped: td.scrollWidth > td.clientWidth + 1 }
    }))
    for (const cell of cells) {
      expect(cell.left).toBeGreaterThanOrEqual(0)
      expect(cell.right).toBeLessThanOrEqual(390)
      expect(cell.clipped).toBe(false)
    }
    // Stacked as small cards, each figure names itself.
    expect(await page.locator('.history td.after').first().evaluate(td => getComputedStyle(td, '::before').content)).toBe('"Balance after "')
    await screenshot(page, 'phone-points')

    // The seat map: touch-sized seats, the key with grades and prices on the first screen, a hint for fingers.
    await openSeatMap(page, server.url, show)
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)
    for (const size of await seatSizes(page)) {
      expect(size.width).toBeGreaterThanOrEqual(44)
      expect(size.height).toBeGreaterThanOrEqual(44)
    }
    const legend = page.getByTestId('legend')
    expect((await box(legend)).y + (await box(legend)).height).toBeLessThanOrEqual(844)
    expect(await legend.locator('li[data-grade="VIP"]').textContent()).toBe('VIP ₩165,000')
    const help = await page.locator('#seat-help').innerText()
    expect(help).toContain('Tap a seat')
    expect(help).not.toContain('arrow keys')

    // A row is wider than the phone: the map pans inside its own box; zooming out all the way shows a whole row.
    const scroller = page.getByTestId('seat-scroll')
    const overflowOf = () => scroller.evaluate(el => el.scrollWidth - el.clientWidth)
    expect(await overflowOf()).toBeGreaterThan(0)
    const smaller = page.getByRole('button', { name: 'Smaller seats' })
    let steps = 0
    while (!await smaller.isDisabled()) { await smaller.tap(); steps++ }
    expect(steps).toBeGreaterThanOrEqual(1)
    expect(await overflowOf()).toBeLessThanOrEqual(0)
    for (let i = 0; i < steps; i++) await page.getByRole('button', { name: 'Larger seats' }).tap()
    expect((await seatSizes(page))[0].width).toBeGreaterThanOrEqual(44)

    // Tapping a seat: its Hold button is in reach at the bottom of the screen without scrolling.
    await seat(page, 12).tap()
    const hold = page.getByRole('button', { name: 'Hold seat 12' })
    const holdBox = await box(hold)
    expect(holdBox.y + holdBox.height).toBeLessThanOrEqual(844)
    expect(holdBox.y).toBeGreaterThanOrEqual(0)
    // The phone's own screen (not the whole page): the map, the key and the Hold button at the bottom.
    await screenshot(page, 'phone-seat-map', { fullPage: false })
    await hold.tap()
    await page.getByRole('heading', { level: 1, name: 'Your seat is held' }).waitFor()
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)

    await page.getByRole('link', { name: 'My reservations' }).tap()
    await page.getByRole('heading', { level: 1, name: 'My reservations' }).waitFor()
    await page.getByTestId('hold-banner').waitFor()
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)
    await page.getByRole('link', { name: 'Concerts', exact: true }).tap()
    await page.getByRole('heading', { level: 1, name: 'Concerts' }).waitFor()
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)
    expect(fan.errors).toEqual([])
    await fan.context.close()
  })

  it('shows the whole map, its key and the Hold button at once on a 1440×900 desktop, with a keyboard hint', async () => {
    const fan = await newFan(browser, { device: DESKTOP })
    const { page } = fan
    await signIn(page, server.url, 'desk-fan')
    await openSeatMap(page, server.url, show)
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)
    for (const locator of [page.getByTestId('legend'), seat(page, 1), seat(page, 50), page.getByRole('button', { name: 'Hold seat' })]) {
      const found = await box(locator)
      expect(found.y + found.height).toBeLessThanOrEqual(900)
    }
    expect(await page.getByTestId('seat-scroll').evaluate(el => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0)
    expect(await page.locator('#seat-help').innerText()).toContain('arrow keys')
    expect(fan.errors).toEqual([])
    await fan.context.close()
  })

  it('speaks natural Korean: the shortfall as a sentence with the right particle, and Seoul times without "GMT+9"', async () => {
    // A fan in New York: times are still the concert's, in Seoul (the demo show starts at 19:00 KST).
    const fan = await newFan(browser, { locale: 'ko-KR', timezoneId: 'America/New_York' })
    const { page } = fan
    await chargeByApi(server.url, 'fan-ko', 15_000)
    await page.goto(`${server.url}/`)
    await page.getByRole('heading', { level: 1, name: '로그인' }).waitFor()
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('user-id')
    await page.keyboard.type('fan-ko')
    await page.keyboard.press('Enter')
    await page.getByRole('heading', { level: 1, name: '공연' }).waitFor()
    const firstDate = page.locator('.date-row').first()
    expect(await firstDate.innerText()).toContain('오후 7:00 시작')
    expect(await page.locator('body').innerText()).not.toMatch(/GMT|UTC/)

    await page.goto(`${server.url}/#/queue/${show.concertId}/${show.date}`)
    await page.getByRole('heading', { level: 1, name: '좌석 선택' }).waitFor()
    await seat(page, 1).click()
    await page.getByRole('button', { name: '1번 좌석 선점하기' }).click()
    await page.getByRole('heading', { level: 1, name: '좌석을 선점했습니다' }).waitFor()
    await page.getByText('이 좌석을 결제하려면 150,000원이 더 필요합니다.').waitFor()
    expect(await page.getByTestId('hold-after').innerText()).toBe('부족')
    await screenshot(page, 'hold-ko')

    await page.getByRole('link', { name: '포인트' }).click()
    await page.getByRole('heading', { level: 1, name: '포인트' }).waitFor()
    await page.getByTestId('hold-banner').getByText('1번 좌석을 선점 중입니다. 남은 결제 시간').waitFor()
    await page.getByRole('button', { name: '10,000원 추가' }).click()
    await page.getByRole('button', { name: '충전하기', exact: true }).click()
    await page.getByText('10,000원을 충전했습니다. 현재 잔액은 25,000원입니다.').waitFor()
    await page.getByRole('link', { name: '내 예매' }).click()
    await page.getByRole('heading', { level: 1, name: '내 예매' }).waitFor()
    const text = await page.locator('body').innerText()
    expect(text).not.toMatch(/GMT|UTC|\((이|가|을|를)\)|이\(가\)|을\(를\)/)
    expect(text).toContain('오후 7:00')
    expect(fan.errors).toEqual([])
    await fan.context.close()
  })
})
