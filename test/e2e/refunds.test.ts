// Refunds in the browser: from My reservations with the cutoff explained (REFUND_CUTOFF_HOURS before the show), a
// refund that closes while the page is open (409 REFUND_CLOSED), and the new copy of orders and refunds in Korean.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { apiOf, type Api } from './support/api.js'
import { PHONE, horizontalOverflow, launchBrowser, newFan, screenshot, seat, signIn } from './support/browser.js'
import { startServer, type RunningServer } from './support/server.js'

const HOUR = 3600_000

/** A time as the app writes it in English: "1 Dec 2026, 19:00 KST". */
const kst = (ms: number) => `${new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Seoul' }).format(new Date(ms))} KST`

const reservationOf = (page: Page, concertTitle: string) => page.getByTestId('reservation').filter({ hasText: concertTitle })

describe('refunds', () => {
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

  it('refunds a confirmed order from My reservations: the deadline first, a confirmation, the points back and the seats on sale again', async () => {
    const show = await api.createConcert('Refund Night', 4)
    const startsAt = Date.parse(`${show.date}T10:00:00.000Z`)
    await api.buy('refund-fan', show, [1, 2], { together: true })
    const fan = await newFan(browser)
    const { page } = fan
    await signIn(page, server.url, 'refund-fan')
    await page.getByRole('link', { name: 'My reservations' }).click()
    const item = reservationOf(page, 'Refund Night')
    expect(await item.getAttribute('data-status')).toBe('CONFIRMED')
    expect(await item.getByTestId('refund-until').innerText()).toBe(`Refundable until ${kst(startsAt - 24 * HOUR)} (24 hours before the show).`)

    await item.getByRole('button', { name: 'Refund', exact: true }).click()
    await item.getByText('Refund ₩200,000 to your points? Your seats go back on sale at once.').waitFor()
    // Changing one's mind leaves the ticket as it was.
    await item.getByRole('button', { name: 'Keep my ticket' }).click()
    await item.getByRole('button', { name: 'Refund', exact: true }).click()
    await screenshot(page, 'refund-confirm')
    await item.getByRole('button', { name: 'Refund ₩200,000' }).click()

    const refunded = reservationOf(page, 'Refund Night')
    await expect.poll(() => refunded.getAttribute('data-status')).toBe('REFUNDED')
    await refunded.getByText('₩200,000 is back in your points. Your balance is now ₩200,000.').waitFor()
    expect(await refunded.innerText()).toMatch(/Refunded\s/)
    await expect.poll(() => page.locator('#balance-chip').innerText()).toContain('₩200,000')
    expect(await refunded.getByRole('button', { name: /^Refund/ }).count()).toBe(0)
    await screenshot(page, 'refund-done')

    // The seats are on sale again at once, and the history has the refund.
    const dates = await (await fetch(`${server.url}/concerts/dates?concertId=${show.concertId}`)).json() as { dates: Array<{ availableSeats: number }> }
    expect(dates.dates[0].availableSeats).toBe(4)
    await page.getByRole('link', { name: /^Points/ }).click()
    await page.getByRole('cell', { name: 'Refund' }).waitFor()
    expect(fan.errors).toEqual([])
    await fan.context.close()
  })

  it('says when refunds closed, and handles a refund that closes while the page is open', async () => {
    const now = Date.now()
    // Starts in two hours: refunds closed 22 hours ago.
    const soon = await api.createConcert('Too Late Night', 2, { startsAt: new Date(now + 2 * HOUR).toISOString() })
    // Refunds close a few seconds from now.
    const closing = now + 6000
    const edge = await api.createConcert('Last Call Night', 2, { startsAt: new Date(closing + 24 * HOUR).toISOString() })
    await api.buy('late-fan', soon, [1])
    await api.buy('late-fan', edge, [1])
    const fan = await newFan(browser)
    const { page } = fan
    await signIn(page, server.url, 'late-fan')
    await page.getByRole('link', { name: 'My reservations' }).click()

    const late = reservationOf(page, 'Too Late Night')
    expect(await late.getByTestId('refund-closed').innerText()).toBe(`Refunds closed at ${kst(now + 2 * HOUR - 24 * HOUR)}, 24 hours before the show.`)
    expect(await late.getByRole('button', { name: /^Refund/ }).count()).toBe(0)

    const last = reservationOf(page, 'Last Call Night')
    await last.getByRole('button', { name: 'Refund', exact: true }).click()
    // The fan takes a moment to confirm, and the deadline passes meanwhile.
    while (Date.now() <= closing + 500) await page.waitForTimeout(250)
    await last.getByRole('button', { name: 'Refund ₩100,000' }).click()
    const alert = last.getByRole('alert')
    await alert.getByText('Refunds for this show have closed.').waitFor()
    expect(await alert.getAttribute('data-code')).toBe('REFUND_CLOSED')
    await last.getByTestId('refund-closed').getByText(/^Refunds closed at .+ KST, 24 hours before the show\.$/).waitFor()
    expect(await last.getAttribute('data-status')).toBe('CONFIRMED')
    expect(await last.getByRole('button', { name: /^Refund/ }).count()).toBe(0)
    await screenshot(page, 'refund-closed')
    expect(fan.errors).toEqual([])
    await fan.context.close()
  })

  it('speaks Korean in the new screens on a phone: several seats held and paid as one order, then refunded', async () => {
    const show = await api.createConcert('한여름 밤의 콘서트', [
      { from: 1, to: 6, grade: 'VIP', price: 150_000, section: 'A', row: '1' },
      { from: 7, to: 12, grade: 'R', price: 100_000, section: 'B', row: '1' }
    ])
    await api.charge('fan-ko-order', 400_000)
    const fan = await newFan(browser, { locale: 'ko-KR', device: PHONE })
    const { page } = fan
    await page.goto(`${server.url}/`)
    await page.getByLabel('사용자 이름').fill('fan-ko-order')
    await page.getByRole('button', { name: '로그인' }).click()
    await page.getByRole('heading', { level: 1, name: '공연' }).waitFor()
    await page.goto(`${server.url}/#/queue/${show.concertId}/${show.date}`)
    await page.getByRole('heading', { level: 1, name: '좌석 선택' }).waitFor()
    await seat(page, 1).waitFor()
    expect(await page.getByTestId('selection').innerText()).toBe('배치도에서 예매 가능한 좌석을 최대 4석까지 고르세요.')
    await seat(page, 2).tap()
    await seat(page, 3).tap()
    expect(await page.getByTestId('selection-total').innerText()).toBe('합계 300,000원 · 4석 중 2석')
    expect(await page.getByTestId('best-available').innerText()).toContain('무대에서 가장 가까운 한 줄에 나란히 붙은 좌석을 골라 드립니다.')
    await page.getByRole('button', { name: '2, 3번 좌석 선점하기' }).click()
    await page.getByRole('heading', { level: 1, name: '좌석을 선점했습니다' }).waitFor()
    expect(await page.getByTestId('hold-where').innerText()).toBe('A 구역 1열')
    await page.getByRole('button', { name: '300,000원 결제하기' }).click()
    await page.getByRole('heading', { level: 1, name: '결제 완료' }).waitFor()

    await page.getByRole('link', { name: '내 예매 보기' }).click()
    const item = reservationOf(page, '한여름 밤의 콘서트')
    expect(await item.getByTestId('refund-until').innerText()).toMatch(/^20\d\d\. \d{1,2}\. \d{1,2}\. 오[전후] \d{1,2}:\d\d까지 환불할 수 있습니다\(공연 24시간 전까지\)\.$/)
    await item.getByRole('button', { name: '환불하기', exact: true }).click()
    await item.getByText('300,000원을 포인트로 환불할까요? 좌석은 바로 다시 판매됩니다.').waitFor()
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0)
    await item.getByRole('button', { name: '300,000원 환불하기' }).click()
    await item.getByText('300,000원이 포인트로 돌아왔습니다. 현재 잔액은 400,000원입니다.').waitFor()
    expect(await reservationOf(page, '한여름 밤의 콘서트').innerText()).toContain('환불됨')
    const text = await page.locator('body').innerText()
    expect(text).not.toMatch(/GMT|UTC|\((이|가|을|를)\)|이\(가\)|을\(를\)|\{\w+\}/)
    await screenshot(page, 'refund-ko')
    expect(fan.errors).toEqual([])
    await fan.context.close()
  })
})
