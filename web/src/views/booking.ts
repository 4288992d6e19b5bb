// What the booking screens (a show's sections, its seat map) share: the queue pass, the booking window's timer,
// leaving, the fan's holds on the show, holding seats and the reasons a hold is refused.

import { api, ApiError, serverNow, type Concert, type HoldRequest, type QueueTicket, type Reservation, type SectionSummary } from '../api'
import { busy, errorBox, h, replaceChildren, type Child } from '../dom'
import { trackHold } from '../holds'
import { icon } from '../icons'
import { clock, seatList, t } from '../i18n'
import { navigate, type ViewContext } from '../router'
import { forgetQueueToken, queueToken } from '../session'

/**
 * Seats one order may take: MAX_HOLDS_PER_USER's documented default. The API does not publish the limit; a
 * server set lower refuses a larger order, and the app says so (HOLD_LIMIT_REACHED, or the validation error).
 */
export const SEATS_PER_ORDER = 4

const QUEUE_CODES = new Set(['QUEUE_TOKEN_REQUIRED', 'QUEUE_TOKEN_INVALID', 'QUEUE_TOKEN_EXPIRED', 'QUEUE_TOKEN_CONCERT_MISMATCH'])

export interface Booking {
  concertId: string
  date: string
  token: string
  /** Aborted when the view ends or the queue pass is no longer good: streams and timers stop. */
  live: AbortController
  /** Takes over a queue error (not admitted yet, pass lapsed): true when it did. */
  queueTrouble: (error: unknown) => boolean
}

export function sectionPath (concertId: string, date: string, section: string): string {
  return `/seats/${encodeURIComponent(concertId)}/${date}/${encodeURIComponent(section)}`
}

/** The queue pass of the show, or null after sending the fan to the waiting room for one. */
export function startBooking (ctx: ViewContext, heading: HTMLElement): Booking | null {
  const { concertId, date } = ctx.params
  const token = queueToken(concertId)
  const queuePath = `/queue/${encodeURIComponent(concertId)}/${date}`
  if (!token) { navigate(queuePath, { replace: true }); return null }
  const live = new AbortController()
  ctx.signal.addEventListener('abort', () => live.abort(), { once: true })
  const rejoin = () => h('button', { type: 'button', class: 'btn btn-primary', onClick: () => { forgetQueueToken(concertId); navigate(queuePath) } }, t('queue.rejoin'))
  const queueTrouble = (error: unknown): boolean => {
    if (!(error instanceof ApiError)) return false
    if (error.code === 'QUEUE_NOT_ADMITTED') { navigate(queuePath, { replace: true }); return true }
    if (!QUEUE_CODES.has(error.code)) return false
    live.abort()
    forgetQueueToken(concertId)
    replaceChildren(ctx.root, heading, errorBox(error, rejoin(), h('a', { class: 'btn btn-ghost', href: '#/concerts' }, t('nav.concerts'))))
    return true
  }
  return { concertId, date, token, live, queueTrouble }
}

/** "Your booking window closes in 8:12", ticking; the pass lapsing ends the screen like a refused request. */
export function windowTimer (booking: Booking, queue: QueueTicket | null): HTMLElement {
  const text = h('p', { class: 'window-timer', 'data-testid': 'window-timer' })
  const activeUntil = queue?.activeUntil ? Date.parse(queue.activeUntil) : null
  const tick = () => {
    if (activeUntil === null) return
    const left = (activeUntil - serverNow()) / 1000
    text.textContent = t('seats.window', { time: clock(left) })
    text.classList.toggle('urgent', left < 60)
    if (left <= 0) booking.queueTrouble(new ApiError(410, 'QUEUE_TOKEN_EXPIRED', '', null))
  }
  const timer = setInterval(tick, 1000)
  booking.live.signal.addEventListener('abort', () => clearInterval(timer), { once: true })
  tick()
  return text
}

/** Gives the booking window back to the next fan in line. */
export function leaveButton (booking: Booking): HTMLButtonElement {
  const leave = h('button', {
    type: 'button',
    class: 'btn btn-ghost btn-block',
    onClick: () => {
      void busy(leave, t('seats.release'), async () => {
        try { await api.leaveQueue(booking.token) } catch { /* already gone: leaving is what we wanted */ }
        forgetQueueToken(booking.concertId)
        navigate('/concerts')
      })
    }
  }, t('seats.release'))
  return leave
}

export function liveIndicator (): HTMLElement {
  return h('span', { class: 'live-indicator', 'data-state': 'connecting' }, t('seats.reconnecting'))
}

export function showLive (indicator: HTMLElement, state: 'live' | 'connecting'): void {
  indicator.dataset.state = state
  indicator.textContent = t(state === 'live' ? 'seats.live' : 'seats.reconnecting')
}

/** The fan's live holds of this show (from their reservations), soonest to lapse first. */
export function holdsOfShow (mine: Reservation[], show: { concertId: string, date: string }): Reservation[] {
  return mine
    .filter(r => r.concertId === show.concertId && r.date === show.date && r.status === 'HELD' && Date.parse(r.heldUntil) > serverNow())
    .sort((a, b) => Date.parse(a.heldUntil) - Date.parse(b.heldUntil))
}

export function seatsOf (holds: Reservation[]): number[] {
  return holds.flatMap(r => r.seatNos && r.seatNos.length > 0 ? r.seatNos : [r.seatNo])
}

/** "Continue with seats 5 and 6" links to the fan's holds on this show. */
export function myHoldsBox (box: HTMLElement, holds: Reservation[]): void {
  if (holds.length === 0) { replaceChildren(box); return }
  replaceChildren(box,
    h('h2', { class: 'panel-title' }, t('seats.myHolds')),
    h('ul', { class: 'plain-list' }, holds.map(r =>
      h('li', null, h('a', { class: 'btn btn-ghost btn-block', href: `#/hold/${encodeURIComponent(r.id)}` }, icon('star', 'icon icon-star'), t('seats.continue', { seats: seatList(seatsOf([r])) })))))
  )
}

/** Holds what the fan asked for and opens the hold; grades are remembered for an older server that does not send them. */
export async function placeHold (booking: Booking, what: HoldRequest, gradeOf: (seatNo: number) => string | undefined): Promise<Reservation> {
  const reservation = await api.hold(booking.date, what, booking.token)
  trackHold(reservation, serverNow())
  const grades = reservation.seats?.map(s => s.grade) ?? (reservation.seatNos ?? [reservation.seatNo]).map(gradeOf)
  sessionStorage.setItem(`cr.grade.${reservation.id}`, [...new Set(grades.filter(Boolean))].join(', '))
  navigate(`/hold/${encodeURIComponent(reservation.id)}`)
  return reservation
}

/** The seat numbers a problem names (`unavailable`, `gapSeatNos`), or an empty list. */
export function problemSeats (error: ApiError, field: 'unavailable' | 'gapSeatNos'): number[] {
  const named = error.problem[field]
  return Array.isArray(named) ? named.filter((no): no is number => typeof no === 'number') : []
}

/**
 * Why the limit refused a hold, in the fan's terms: how many they already hold on this show and how many more
 * they may pick; the general message when what we know does not explain it (another tab, a lower limit).
 */
export function limitNotice (error: ApiError, held: number[], asked: number): HTMLElement {
  const left = SEATS_PER_ORDER - held.length
  const link = h('a', { class: 'btn btn-ghost btn-small', href: '#/reservations' }, t('nav.reservations'))
  if (held.length === 0 || left >= asked) return errorBox(error, link)
  const message = left <= 0
    ? t('hold.err.limitFull', { held: seatList(held), limit: SEATS_PER_ORDER })
    : t('hold.err.limit', { held: seatList(held), limit: SEATS_PER_ORDER, left })
  return problemBox(error, message, link)
}

/** An error box with our own, more precise sentence in place of the code's general one. */
export function problemBox (error: ApiError, message: string, ...actions: Child[]): HTMLElement {
  const box = errorBox(error, ...actions)
  const text = box.querySelector('.notice-message')
  if (text) text.textContent = message
  return box
}

/** For a concert whose places were drawn at the opening: the page that checks the draw (Back returns here). */
export function drawLink (concert: Concert | null): HTMLElement | null {
  if (!concert?.salesOpenAt) return null
  return h('a', { class: 'btn btn-ghost btn-block', href: `#/draw/${encodeURIComponent(concert.id)}` }, icon('check'), t('draw.link'))
}

/**
 * The grades worth offering beside the sections in best available: not a grade that is just another name for one
 * section (the demo's sections are named after their only grade), nor the only grade of the show.
 */
export function gradeChoices (sections: SectionSummary[]): string[] {
  const grades = [...new Set(sections.flatMap(s => s.grades))]
  // One grade for the whole show: "that grade, any section" is just "any section".
  if (grades.length < 2) return []
  return grades.filter(g => {
    const holding = sections.filter(s => s.grades.includes(g))
    return !(holding.length === 1 && holding[0].section === g && holding[0].grades.length === 1)
  })
}
