// A big show's sections, nearest the stage first: grades, price range and seats left in each, kept live from the
// seat events (re-read with If-None-Match, so an unchanged summary costs a 304); best available over all of them.

import { api, ApiError, type HoldRequest, type QueueTicket, type Reservation, type SectionList, type SectionSummary } from '../api'
import { concertOf } from '../catalog'
import { h, pageTitle, replaceChildren } from '../dom'
import { syncHolds } from '../holds'
import { formatDate, num, t, won } from '../i18n'
import { icon } from '../icons'
import type { ViewContext } from '../router'
import { bestAvailableBox } from '../seats/best'
import { followSeats } from '../seats/live'
import { drawLink, gradeChoices, holdsOfShow, leaveButton, limitNotice, liveIndicator, myHoldsBox, placeHold, problemBox, sectionPath, seatsOf, showLive, windowTimer, type Booking } from './booking'

/** At most one re-read of the summary per this many ms, however many seats change meanwhile. */
const REFRESH_MS = 1000

function priceRange (s: SectionSummary): string {
  return s.priceMin === s.priceMax ? won(s.priceMin) : `${won(s.priceMin)}–${won(s.priceMax)}`
}

function sectionCard (concertId: string, date: string, s: SectionSummary): HTMLElement {
  const soldOut = s.availableSeats === 0
  const ratio = s.totalSeats > 0 ? s.availableSeats / s.totalSeats : 0
  const level = soldOut ? 'none' : ratio < 0.2 ? 'low' : 'ok'
  const fill = h('span')
  fill.style.width = `${Math.round(ratio * 100)}%`
  const left = soldOut ? t('sections.soldOut') : t('sections.available', { available: num(s.availableSeats), total: num(s.totalSeats) })
  const body = [
    h('span', { class: 'section-name' }, t('seats.section', { section: s.section })),
    h('span', { class: 'section-grades' }, s.grades.join(' · ')),
    h('span', { class: 'section-price' }, priceRange(s)),
    h('span', { class: 'bar', 'aria-hidden': 'true' }, fill),
    h('span', { class: 'availability-text' }, soldOut ? [icon('cross'), ' ', left] : left)
  ]
  return h('li', { class: `section-card availability-${level}`, 'data-section': s.section, 'data-available': String(s.availableSeats), 'data-testid': 'section' },
    soldOut
      ? h('div', { class: 'section-body' }, body)
      : h('a', { class: 'section-body', href: `#${sectionPath(concertId, date, s.section)}` }, body))
}

export async function sectionsScreen (ctx: ViewContext, booking: Booking, first: SectionList): Promise<void> {
  const { root, signal } = ctx
  const { concertId, date, token } = booking
  const heading = pageTitle(t('sections.title'))
  const [queue, mine, concert] = await Promise.all([
    api.queueStatus(token, signal).catch(() => null as QueueTicket | null),
    api.myReservations(signal).then(r => r.reservations).catch(() => [] as Reservation[]),
    concertOf(concertId)
  ])
  const title = concert?.title ?? null
  if (signal.aborted) return
  if (mine.length > 0) syncHolds(mine)
  const holds = holdsOfShow(mine, { concertId, date })

  const cards = new Map<string, HTMLElement>()
  const list = h('ol', { class: 'section-list', 'data-testid': 'sections' }, first.sections.map(s => {
    const card = sectionCard(concertId, date, s)
    cards.set(s.section, card)
    return card
  }))
  const totals = h('p', { class: 'seat-summary', 'data-testid': 'sections-summary' })
  const showTotals = (sections: SectionSummary[]) => {
    const available = sections.reduce((sum, s) => sum + s.availableSeats, 0)
    const total = sections.reduce((sum, s) => sum + s.totalSeats, 0)
    totals.textContent = t('sections.total', { available: num(available), total: num(total), sections: sections.length })
  }
  const update = (sections: SectionSummary[]) => {
    for (const s of sections) {
      const card = cards.get(s.section)
      if (!card || card.dataset.available === String(s.availableSeats)) continue
      const next = sectionCard(concertId, date, s)
      card.replaceWith(next)
      cards.set(s.section, next)
    }
    showTotals(sections)
  }

  // ---- live: every seat event asks for the summary again, at most once a second --------------------
  let timer: ReturnType<typeof setTimeout> | null = null
  let running = false
  let again = false
  let last = 0
  const refresh = async (): Promise<number | null> => {
    running = true
    last = Date.now()
    try {
      const fresh = await api.sections(date, token, signal)
      if (fresh.changed) update(fresh.value.sections)
      return fresh.value.version
    } catch (error) {
      if (!signal.aborted) booking.queueTrouble(error)
      return null
    } finally {
      running = false
      if (again) { again = false; schedule() }
    }
  }
  const schedule = () => {
    if (timer !== null) return
    if (running) { again = true; return }
    timer = setTimeout(() => { timer = null; void refresh() }, Math.max(0, last + REFRESH_MS - Date.now()))
  }
  booking.live.signal.addEventListener('abort', () => { if (timer !== null) clearTimeout(timer) }, { once: true })
  const liveState = liveIndicator()
  const connect = () => followSeats({
    date,
    queueToken: token,
    version: first.version,
    apply: schedule,
    resync: refresh,
    onState: (state) => showLive(liveState, state),
    onRefused: (error) => {
      if (booking.queueTrouble(error)) return
      void refresh().then(ok => { if (ok !== null) setTimeout(() => { if (!booking.live.signal.aborted) connect() }, 3000) })
    },
    onExpired: () => { booking.queueTrouble(new ApiError(410, 'QUEUE_TOKEN_EXPIRED', '', null)) }
  }, booking.live.signal)

  const held = seatsOf(holds)
  const best = bestAvailableBox({
    sections: first.sections.filter(s => s.totalSeats > 0).map(s => s.section),
    grades: gradeChoices(first.sections),
    hold: (what: HoldRequest) => placeHold(booking, what, () => undefined),
    explain: (error, what) => {
      if (booking.queueTrouble(error)) return h('span')
      if (!(error instanceof ApiError) || !('quantity' in what)) return null
      if (error.code === 'HOLD_LIMIT_REACHED') return limitNotice(error, held, what.quantity)
      if (error.code === 'VALIDATION_FAILED') return problemBox(error, t('hold.err.tooMany'))
      return null
    }
  })
  const holdsBox = h('div', { class: 'my-holds' })
  myHoldsBox(holdsBox, holds)

  replaceChildren(root,
    heading,
    h('div', { class: 'seat-header' },
      h('p', { class: 'subtitle' }, title ? `${title} · ` : '', formatDate(date)),
      h('div', { class: 'seat-header-tools' }, windowTimer(booking, queue), liveState)
    ),
    h('p', { class: 'lead' }, t('sections.lead')),
    h('div', { class: 'sections-layout' },
      h('section', { class: 'card sections-card', 'aria-labelledby': 'sections-title' },
        h('h2', { id: 'sections-title', class: 'visually-hidden' }, t('sections.title')),
        h('div', { class: 'stage', 'aria-hidden': 'true' }, t('seats.stage')),
        list,
        totals
      ),
      best,
      h('aside', { class: 'sections-side' }, holdsBox, drawLink(concert), leaveButton(booking))
    )
  )
  showTotals(first.sections)
  connect()
}
