// A 15,000-seat show on a phone: the sections overview first (availability and prices, live), then one section's
// seats only (`?section=`), re-read with If-None-Match (a 304 when unchanged). Time to interactive and the frame
// times of scrolling and tapping are measured with the CPU slowed 4× and printed, never asserted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { apiOf, type SeatRange, type ShowOf } from './support/api.js'
import { DESKTOP, PHONE, horizontalOverflow, launchBrowser, newFan, screenshot, seat, signIn } from './support/browser.js'
import { startServer, type RunningServer } from './support/server.js'

const SECTIONS = 'ABCDEFGHIJKLMNO'.split('')
const ROWS = 20
const PER_ROW = 50

/** 15 sections × 20 rows × 50 seats; A–C VIP, D–H R, the rest S. Section A holds seats 1–1000, B 1001–2000, … */
function venue (): SeatRange[] {
  const ranges: SeatRange[] = []
  SECTIONS.forEach((section, s) => {
    const [grade, price] = s < 3 ? ['VIP', 200_000] : s < 8 ? ['R', 150_000] : ['S', 100_000]
    for (let r = 0; r < ROWS; r++) {
      const from = s * ROWS * PER_ROW + r * PER_ROW + 1
      ranges.push({ from, to: from + PER_ROW - 1, grade, price, section, row: String(r + 1) })
    }
  })
  return ranges
}

/** Milliseconds from now until `selector` is on screen and a frame has been drawn with it. */
async function timeTo (page: Page, action: () => Promise<void>, selector: string): Promise<number> {
  await page.evaluate(() => { (window as unknown as { t0: number }).t0 = performance.now() })
  await action()
  await page.locator(selector).first().waitFor()
  return await page.evaluate(() => new Promise<number>(resolve => requestAnimationFrame(() => setTimeout(() =>
    resolve(performance.now() - (window as unknown as { t0: number }).t0), 0))))
}

interface Frames { frames: number, p95: number, worst: number, over50: number, longTasks: number }

/**
 * Scrolls the section (60 frames of 30 px sideways and 12 px down) or taps three seats in the page, while a
 * requestAnimationFrame loop records each frame's length and long tasks are counted.
 */
async function frameTimes (page: Page, work: 'scroll' | 'taps'): Promise<Frames> {
  return await page.evaluate(async (kind) => {
    const gaps: number[] = []
    let longTasks = 0
    const observer = new PerformanceObserver(list => { longTasks += list.getEntries().length })
    try { observer.observe({ type: 'longtask', buffered: false }) } catch { /* not supported: counted as 0 */ }
    let last = performance.now()
    let running = true
    const loop = (now: number) => { gaps.push(now - last); last = now; if (running) requestAnimationFrame(loop) }
    requestAnimationFrame(loop)
    const frame = () => new Promise(resolve => requestAnimationFrame(resolve))
    if (kind === 'scroll') {
      const box = document.querySelector('[data-testid="seat-scroll"]') as HTMLElement
      for (let i = 0; i < 60; i++) { box.scrollLeft += 30; window.scrollBy(0, 12); await frame() }
    } else {
      for (const no of [2036, 2037, 2036]) { (document.querySelector(`button[data-seat-no="${no}"]`) as HTMLElement).click(); await frame() }
    }
    await new Promise(resolve => setTimeout(resolve, 200))
    running = false
    observer.disconnect()
    const sorted = [...gaps.slice(1)].sort((a, b) => a - b)
    const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0)
    return { frames: sorted.length, p95: at(0.95), worst: Math.round(sorted.at(-1) ?? 0), over50: sorted.filter(g => g > 50).length, longTasks }
  }, work)
}

describe('a 15,000-seat show', () => {
  let server: RunningServer
  let browser: Browser
  let show: ShowOf

  beforeAll(async () => {
    server = await startServer()
    browser = await launchBrowser()
    show = await apiOf(server.url).createConcert('Stadium Night', venue())
  })

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  it('starts with the sections and draws only the chosen one on a phone, live, re-reading with If-None-Match, and stays smooth to scroll and tap', async () => {
    const fan = await newFan(browser, { device: PHONE })
    const { page } = fan
    const seatReads: Array<{ url: string, ifNoneMatch: string | undefined, status: number }> = []
    page.on('response', response => {
      const url = response.url()
      if (/\/concerts\/[^/]+\/(seats|sections)(\?|$)/.test(url)) seatReads.push({ url, ifNoneMatch: response.request().headers()['if-none-match'], status: response.status() })
    })
    await signIn(page, server.url, 'stadium-fan')
    // A phone's slower CPU: every figure below is measured four times slower than this machine.
    const cdp = await page.context().newCDPSession(page)
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 })

    // The overview: one card per section, nearest the stage first, with grades, prices and seats left.
    const overviewMs = await timeTo(page, () => page.goto(`${server.url}/#/queue/${show.concertId}/${show.date}`).then(() => {}), '[data-testid="section"]')
    await page.getByRole('heading', { level: 1, name: 'Choose a section' }).waitFor()
    const cards = page.getByTestId('section')
    expect(await cards.count()).toBe(15)
    expect(await cards.evaluateAll(items => items.map(li => li.getAttribute('data-section')))).toEqual(SECTIONS)
    expect(await cards.first().innerText()).toBe('Section A\nVIP\n₩200,000\n1,000 of 1,000 seats left')
    expect(await page.getByTestId('sections-summary').innerText()).toBe('15,000 of 15,000 seats left in 15 sections')
    expect(await page.locator('button[data-seat-no]').count()).toBe(0)
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)
    await page.locator('.live-indicator[data-state="live"]').waitFor()
    await screenshot(page, 'phone-sections', { fullPage: false })

    // Live: another fan holds a seat of section B; its card follows without a reload.
    const api = apiOf(server.url)
    const held = await api.buy('stadium-rival', show, [1500], { pay: false })
    await expect.poll(() => page.locator('[data-section="B"]').innerText()).toContain('999 of 1,000 seats left')
    // Paying changes no section's availability: the summary re-read after that event is a 304.
    await api.charge('stadium-rival', 200_000)
    const rival = { authorization: `Bearer ${await api.token('stadium-rival')}` }
    expect((await fetch(`${server.url}/reservations/${held}/pay`, { method: 'POST', headers: rival })).status).toBe(200)
    await expect.poll(() => seatReads.some(r => r.url.endsWith('/sections') && r.status === 304 && r.ifNoneMatch)).toBe(true)

    // Section C: only its 1,000 seats are drawn, from `?section=C`.
    const sectionMs = await timeTo(page, () => page.locator('[data-section="C"] a').tap(), 'button[data-seat-no="2001"]')
    await page.getByRole('heading', { level: 1, name: 'Choose a seat' }).waitFor()
    expect(await page.locator('button[data-seat-no]').count()).toBe(1000)
    expect(seatReads.filter(r => r.url.includes('/seats')).map(r => new URL(r.url).search)).toEqual(['?section=C'])
    await page.locator('.live-indicator[data-state="live"]').waitFor()
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)
    const size = await seat(page, 2001).boundingBox()
    expect(size?.width).toBeGreaterThanOrEqual(44)

    // Scrolling the section and tapping seats: frame lengths and long tasks while it happens.
    const scroll = await frameTimes(page, 'scroll')
    const tapStart = Date.now()
    await seat(page, 2035).tap()
    await expect.poll(() => seat(page, 2035).getAttribute('aria-pressed')).toBe('true')
    const tapMs = Date.now() - tapStart
    const taps = await frameTimes(page, 'taps')
    expect(await page.getByTestId('selection-total').innerText()).toBe('Total ₩400,000 · 2 of 4 seats')
    await screenshot(page, 'phone-section-seats', { fullPage: false })

    // Back to the overview and into section C again: both re-reads carry If-None-Match and come back 304.
    await page.goBack()
    await page.getByRole('heading', { level: 1, name: 'Choose a section' }).waitFor()
    await page.locator('[data-section="C"] a').tap()
    await seat(page, 2001).waitFor()
    expect(await page.locator('button[data-seat-no]').count()).toBe(1000)
    const again = seatReads.filter(r => r.url.includes('/seats?section=C'))
    expect(again.map(r => [r.status, Boolean(r.ifNoneMatch)])).toEqual([[200, false], [304, true]])

    console.info(`[big venue, phone, CPU 4× slower] overview ${Math.round(overviewMs)} ms · section (1,000 seats) ${Math.round(sectionMs)} ms · ` +
      `tap to selected ${tapMs} ms (incl. test polling) · scroll: ${scroll.frames} frames, p95 ${scroll.p95} ms, worst ${scroll.worst} ms, ` +
      `${scroll.over50} over 50 ms, ${scroll.longTasks} long tasks · taps: ${taps.frames} frames, p95 ${taps.p95} ms, worst ${taps.worst} ms, ${taps.longTasks} long tasks`)
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 })
    expect(fan.errors).toEqual([])
    await fan.context.close()
  })

  it('lays the sections out beside best available on a desktop, and picks the best seats of a grade', async () => {
    const fan = await newFan(browser, { device: DESKTOP })
    const { page } = fan
    await signIn(page, server.url, 'stadium-desk')
    await page.goto(`${server.url}/#/queue/${show.concertId}/${show.date}`)
    await page.getByRole('heading', { level: 1, name: 'Choose a section' }).waitFor()
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)
    const best = page.getByTestId('best-available')
    const box = await best.boundingBox()
    expect((box?.y ?? 900) + (box?.height ?? 0)).toBeLessThanOrEqual(900)
    await screenshot(page, 'sections')
    await best.getByLabel('Seats').selectOption('2')
    await best.getByLabel('Where').selectOption({ label: 'Grade R, any section' })
    await best.getByRole('button', { name: 'Hold the best 2 seats' }).click()
    await page.getByRole('heading', { level: 1, name: 'Your seats are held' }).waitFor()
    // Grade R starts at section D (seats 3001–): its first row, first two seats.
    expect(await page.getByTestId('hold-seat').innerText()).toBe('Seats 3001 and 3002 · R')
    expect(await page.getByTestId('hold-where').innerText()).toBe('Section D, row 1')
    expect(fan.errors).toEqual([])
    await fan.context.close()
  })
})
