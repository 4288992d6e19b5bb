// The bar under the header on every page while the fan holds seats: the countdown and the way back to paying.

import { serverNow } from './api'
import { h, replaceChildren } from './dom'
import { forgetHold, liveHolds, onHoldsChange, refreshHolds, trackedHolds, type TrackedHold } from './holds'
import { icon } from './icons'
import { clock, seatList, t } from './i18n'
import { currentPath } from './router'
import { session } from './session'

let timer: ReturnType<typeof setInterval> | null = null
/** A hold that ran out while its countdown was on screen: said once, until the next screen or a dismissal. */
let lapsed: TrackedHold | null = null
let lastRefresh = 0

function bannerElement (): HTMLElement | null { return document.getElementById('hold-banner') }

// The hold page shows its own countdown; repeating it in the banner would only compete with it.
function onItsPage (hold: TrackedHold): boolean { return currentPath() === `/hold/${encodeURIComponent(hold.id)}` }

function shown (): TrackedHold[] { return liveHolds().filter(hold => !onItsPage(hold)) }

function paint (): void {
  const banner = bannerElement()
  if (!banner) return
  const holds = session() ? shown() : []
  if (holds.length === 0) {
    if (timer !== null) { clearInterval(timer); timer = null }
    if (lapsed) {
      const gone = lapsed
      banner.hidden = false
      banner.dataset.state = 'lapsed'
      replaceChildren(banner, h('div', { class: 'hold-banner-inner', role: 'status' },
        icon('clock'),
        h('p', { class: 'hold-banner-text' }, t('banner.lapsed', { seats: seatList(gone.seatNos) })),
        h('button', { type: 'button', class: 'btn btn-ghost btn-small', onClick: () => { lapsed = null; paint() } }, t('common.dismiss'))
      ))
    } else {
      banner.hidden = true
      replaceChildren(banner)
    }
    return
  }
  const first = holds[0]
  const left = (Date.parse(first.heldUntil) - serverNow()) / 1000
  banner.hidden = false
  banner.dataset.state = left <= 60 ? 'urgent' : 'live'
  const time = h('span', { class: 'hold-banner-time', 'data-testid': 'banner-countdown' }, clock(left))
  replaceChildren(banner, h('div', { class: 'hold-banner-inner' },
    icon('clock'),
    h('p', { class: 'hold-banner-text', 'data-testid': 'hold-banner' },
      h('span', null, t('banner.held', { seats: seatList(first.seatNos) })),
      ' ', time,
      holds.length > 1 ? h('span', { class: 'muted' }, ` ${t('banner.more', { count: holds.length - 1 })}`) : null
    ),
    h('a', { class: 'btn btn-primary btn-small', href: `#/hold/${encodeURIComponent(first.id)}` }, t('banner.continue'))
  ))
  if (timer === null) timer = setInterval(tick, 1000)
}

function tick (): void {
  const now = serverNow()
  for (const hold of trackedHolds()) {
    const until = Date.parse(hold.heldUntil)
    if (onItsPage(hold) || until > now + 500) continue
    // Only a lapse that happened while the countdown was on screen is news; an old one is just dropped.
    if (until > now - 5000) lapsed = hold
    forgetHold(hold.id)
  }
  // The server is the record: every half minute, learn about holds paid or cancelled elsewhere.
  if (Date.now() - lastRefresh > 30_000) { lastRefresh = Date.now(); void refreshHolds() }
  paint()
}

/** Repaints on every screen change (a lapse notice is for the screen it happened on). */
export function renderHoldBanner (): void {
  lapsed = null
  paint()
}

export function startHoldBanner (): void {
  onHoldsChange(paint)
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') void refreshHolds() })
  lastRefresh = Date.now()
  void refreshHolds()
}
