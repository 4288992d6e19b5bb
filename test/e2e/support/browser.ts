// Headless Chromium (Debian's /usr/bin/chromium via playwright-core) and the steps a fan takes in the web app.
// Screenshots for docs/screenshots are written only with SCREENSHOTS=1 (`SCREENSHOTS=1 npm run test:e2e`), so an
// ordinary run leaves the working tree as it was.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core'
import { projectRoot } from '../../../src/http/web.js'
import { apiOf } from './api.js'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export async function launchBrowser (): Promise<Browser> {
  return await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync']
  })
}

export interface Fan {
  context: BrowserContext
  page: Page
  /** Uncaught exceptions in the page: a test ends by checking there were none. */
  errors: string[]
}

/** The two screens the layout is checked on: a phone (touch) and a desktop. */
export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } as const
export const DESKTOP = { viewport: { width: 1440, height: 900 } } as const

export interface FanOptions {
  locale?: string
  timezoneId?: string
  device?: typeof PHONE | typeof DESKTOP
}

/** A new browser profile (its own storage) with one page, in English unless told otherwise. */
export async function newFan (browser: Browser, options: FanOptions = {}): Promise<Fan> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 860 },
    ...options.device,
    locale: options.locale ?? 'en-US',
    timezoneId: options.timezoneId ?? 'Asia/Seoul'
  })
  context.setDefaultTimeout(15_000)
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', error => errors.push(String(error)))
  return { context, page, errors }
}

export async function signIn (page: Page, baseUrl: string, userId: string): Promise<void> {
  await page.goto(`${baseUrl}/#/signin`)
  await page.getByLabel('User name').fill(userId)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('heading', { level: 1, name: 'Concerts' }).waitFor()
}

/** The seat button of seat `no` on the seat map. */
export function seat (page: Page, no: number): Locator {
  return page.locator(`button[data-seat-no="${no}"]`)
}

export interface ShowRef { concertId: string, date: string, title: string }

/** The first bookable date of the demo concert, straight from the API. */
export async function firstShow (baseUrl: string): Promise<ShowRef> {
  const response = await fetch(`${baseUrl}/concerts/dates`)
  const { dates } = await response.json() as { dates: Array<{ concertId: string, date: string, concertTitle: string }> }
  return { concertId: dates[0].concertId, date: dates[0].date, title: dates[0].concertTitle }
}

/** Opens the waiting room of a show and, when admitted at once, lands on its seat map. */
export async function openSeatMap (page: Page, baseUrl: string, show: ShowRef): Promise<void> {
  await page.goto(`${baseUrl}/#/queue/${show.concertId}/${show.date}`)
  await page.getByRole('heading', { level: 1, name: 'Choose a seat' }).waitFor()
  await seat(page, 1).waitFor()
}

/** On an open seat map: picks seat `no`, holds it and waits for the hold page. */
export async function holdSeat (page: Page, no: number): Promise<void> {
  await seat(page, no).click()
  await page.getByRole('button', { name: `Hold seat ${no}` }).click()
  await page.getByRole('heading', { level: 1, name: 'Your seat is held' }).waitFor()
}

/** Charges points through the API (for tests whose subject is something else). */
export async function chargeByApi (baseUrl: string, userId: string, amount: number): Promise<void> {
  await apiOf(baseUrl).charge(userId, amount)
}

/** The page scrolls sideways when its content is wider than the window (the phone check of every screen). */
export async function horizontalOverflow (page: Page): Promise<number> {
  return await page.evaluate(() => (document.scrollingElement?.scrollWidth ?? 0) - window.innerWidth)
}

const SCREENSHOTS = join(projectRoot(), 'docs', 'screenshots')

/** Saves a full-page screenshot for the README and reviews (docs/screenshots/<name>.png), when SCREENSHOTS=1. */
export async function screenshot (page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  if (process.env.SCREENSHOTS !== '1') return
  mkdirSync(SCREENSHOTS, { recursive: true })
  // Let transitions and the live indicator settle so the pictures are stable.
  await page.waitForTimeout(300)
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: options.fullPage ?? true, animations: 'disabled', caret: 'hide' })
}
