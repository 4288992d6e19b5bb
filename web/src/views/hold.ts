// A hold: the countdown to its lapse, the points it needs and leaves, paying (one Idempotency-Key per payment) and cancelling.
// While the service cannot be reached the hold stays on screen from the tracked copy, and the page keeps retrying.

import { api, ApiError, isTransient, newIdempotencyKey, seatNosOf, serverNow, type Reservation } from '../api'
import { balanceChanged, setBalance } from '../balance'
import { concertTitle } from '../catalog'
import { announce, busy, errorBox, h, loading, noticeBox, pageTitle, replaceChildren } from '../dom'
import { forgetHold, trackHold, trackedHold, type TrackedHold } from '../holds'
import { clock, formatDate, seatLabel, t, won, type MessageKey } from '../i18n'
import { loadPage } from '../load'
import { navigate, render, type ViewContext } from '../router'
import { forgetQueueToken } from '../session'
import { placeOf } from './ticket'

/** A top-up that covers the shortfall, rounded up to a whole 10,000 won. */
function topUpFor (shortfall: number): number {
  return Math.max(shortfall, Math.ceil(shortfall / 10_000) * 10_000)
}

type Ending = 'lapsed' | 'cancelled' | 'ended'
const ENDINGS: Record<Ending, { title: MessageKey, lead: MessageKey, leadMany: MessageKey }> = {
  lapsed: { title: 'hold.titleLapsed', lead: 'hold.lapsed', leadMany: 'hold.lapsedMany' },
  cancelled: { title: 'hold.titleCancelled', lead: 'hold.cancelled', leadMany: 'hold.cancelledMany' },
  ended: { title: 'hold.titleEnded', lead: 'hold.notHeld', leadMany: 'hold.notHeld' }
}


/** Retries the page's load with growing pauses (1 s, 2 s, 4 s … 10 s) while the service is unreachable. */
function retryUntilBack (signal: AbortSignal, onBack: () => void): void {
  let delay = 1000
  const attempt = () => {
    if (signal.aborted) return
    api.balance(signal).then(onBack, (error: unknown) => {
      if (signal.aborted) return
      if (!isTransient(error)) { onBack(); return }
      delay = Math.min(10_000, delay * 2)
      setTimeout(attempt, delay)
    })
  }
  setTimeout(attempt, delay)
}

export async function holdView (ctx: ViewContext): Promise<void> {
  const { root, params, signal } = ctx
  const heading = pageTitle(t('hold.title'))
  replaceChildren(root, heading, loading())

  const cached = trackedHold(params.reservationId)
  let offline = false
  const loaded = await loadPage(ctx, heading, () => Promise.all([api.reservation(params.reservationId, signal), api.balance(signal)]), {
    // An outage with the hold known from before: show it from the copy, and come back when the service does.
    handle: (error) => { offline = isTransient(error) && cached !== null; return offline }
  })
  if (signal.aborted) return
  if (!loaded && !offline) return

  let reservation: Reservation | TrackedHold
  let balance: number | null
  if (loaded) {
    [reservation, { balance }] = loaded
    setBalance(balance)
    if (reservation.status === 'CONFIRMED') { forgetHold(reservation.id); navigate(`/done/${encodeURIComponent(reservation.id)}`, { replace: true }); return }
    if (reservation.status === 'HELD') trackHold(reservation)
    else forgetHold(reservation.id)
  } else {
    reservation = cached as TrackedHold
    balance = balanceChanged()
  }
  const held = reservation
  const seatNos = 'status' in held ? seatNosOf(held) : held.seatNos
  const status = 'status' in held ? held.status : 'HELD'

  const title = await concertTitle(held.concertId)
  if (signal.aborted) return
  const seatsPath = `#/seats/${encodeURIComponent(held.concertId)}/${held.date}`
  const grade = sessionStorage.getItem(`cr.grade.${held.id}`)
  const heldUntil = Date.parse(held.heldUntil)
  // The bar runs from when the seat was held (remembered by this browser) or, failing that, from now.
  const heldAt = trackedHold(held.id)?.heldAt ?? serverNow()
  const totalMs = Math.max(1, heldUntil - heldAt)
  const backToSeats = () => h('a', { class: 'btn btn-primary', href: seatsPath }, t('hold.backToSeats'))

  const many = seatNos.length > 1
  if (many) {
    heading.textContent = t('hold.titleMany')
    document.title = `${heading.textContent} · ${t('app.title')}`
  }
  const place = 'seats' in held ? placeOf(held.seats) : null
  const lead = h('p', { class: 'lead' }, t(many ? 'hold.leadMany' : 'hold.lead'))
  const timeText = h('p', { class: 'countdown-time', role: 'timer', 'aria-live': 'off', 'data-testid': 'hold-countdown' })
  const bar = h('div', { class: 'countdown-bar', 'aria-hidden': 'true' }, h('span'))
  const countdown = h('div', { class: 'countdown' }, h('p', { class: 'countdown-label' }, t('hold.timeLeft')), timeText, bar)
  const balanceText = h('dd', { 'data-testid': 'hold-balance' })
  const afterText = h('dd', { 'data-testid': 'hold-after' })
  const shortBox = h('div', { class: 'short-box', 'data-testid': 'hold-short' })
  const feedback = h('div', { class: 'feedback', 'data-testid': 'hold-feedback' })
  const connection = h('div', { class: 'feedback', 'data-testid': 'hold-connection' })
  const payButton = h('button', { type: 'button', class: 'btn btn-primary btn-large', 'aria-describedby': 'hold-short-reason' }, t('hold.pay', { amount: won(held.price) }))
  const cancelButton = h('button', { type: 'button', class: 'btn btn-ghost' }, t('hold.cancel'))
  const actions = h('div', { class: 'actions' }, payButton, cancelButton)
  let finished = false
  // Kept while a payment's outcome is unknown (no answer), so trying again is the same payment, not a second one.
  let payKey: string | null = null

  const finish = (ending: Ending, notice?: HTMLElement) => {
    finished = true
    clearInterval(timer)
    forgetHold(held.id)
    countdown.classList.add('countdown-over')
    heading.textContent = t(ENDINGS[ending].title)
    document.title = `${heading.textContent} · ${t('app.title')}`
    lead.textContent = t(many ? ENDINGS[ending].leadMany : ENDINGS[ending].lead)
    replaceChildren(actions, backToSeats())
    replaceChildren(shortBox)
    replaceChildren(connection)
    replaceChildren(feedback, notice ?? null)
  }

  /** Balance, what is left after paying, and — when it does not cover the price — one warning with a top-up. */
  const showMoney = () => {
    balanceText.textContent = balance === null ? '—' : won(balance)
    afterText.textContent = balance === null ? '—' : won(Math.max(0, balance - held.price))
    const shortfall = balance === null ? 0 : held.price - balance
    payButton.disabled = finished || offline || balance === null || shortfall > 0
    if (finished || shortfall <= 0) { replaceChildren(shortBox); return }
    afterText.textContent = t('hold.afterShort')
    const amount = topUpFor(shortfall)
    const charge = h('button', { type: 'button', class: 'btn' }, t('hold.chargeShort', { amount: won(amount) }))
    charge.addEventListener('click', () => {
      void busy(charge, t('points.charging'), async () => {
        try {
          const result = await api.charge(amount, newIdempotencyKey())
          balance = result.balance
          setBalance(balance)
          replaceChildren(feedback, noticeBox('success', t('hold.charged', { amount: won(amount), balance: won(balance) })))
          showMoney()
        } catch (error) {
          replaceChildren(feedback, errorBox(error))
        }
      })
    })
    const warning = noticeBox('warning', t(many ? 'hold.shortMany' : 'hold.short', { amount: won(shortfall) }), charge)
    warning.querySelector('.notice-message')?.setAttribute('id', 'hold-short-reason')
    replaceChildren(shortBox, warning)
  }

  // ---- the countdown --------------------------------------------------------------------------------
  let lastAnnounced = Infinity
  const tick = () => {
    const leftMs = heldUntil - serverNow()
    const left = leftMs / 1000
    timeText.textContent = clock(left)
    const fraction = Math.min(1, Math.max(0, leftMs / totalMs))
    ;(bar.firstElementChild as HTMLElement).style.width = `${fraction * 100}%`
    countdown.classList.toggle('urgent', left <= 60)
    // Speak at a few milestones only; a timer read out every second would drown everything else.
    for (const mark of [240, 180, 120, 60, 30, 10]) {
      if (left <= mark && lastAnnounced > mark && left > mark - 5) {
        announce(mark >= 60 ? t('hold.announceMinutes', { minutes: mark / 60 }) : t('hold.announceSeconds', { seconds: mark }))
      }
    }
    lastAnnounced = left
    if (leftMs <= 0 && !finished) finish('lapsed')
  }
  const timer = setInterval(tick, 250)
  signal.addEventListener('abort', () => clearInterval(timer), { once: true })

  // ---- paying and cancelling ------------------------------------------------------------------------
  payButton.addEventListener('click', () => {
    payKey ??= newIdempotencyKey()
    const key = payKey
    void busy(payButton, t('hold.paying'), async () => {
      try {
        const payment = await api.pay(held.id, key)
        setBalance(payment.balance)
        forgetHold(held.id)
        sessionStorage.setItem(`cr.payment.${held.id}`, JSON.stringify(payment))
        forgetQueueToken(held.concertId) // the queue token lapses once the user pays
        // The hold screen becomes the ticket: Back from it goes to the seat map, not to a paid hold.
        navigate(`/done/${encodeURIComponent(held.id)}`, { replace: true })
      } catch (error) {
        if (signal.aborted) return
        if (isTransient(error)) { replaceChildren(feedback, errorBox(error), noticeBox('info', t('hold.payUnknown'))); return }
        payKey = null
        const code = error instanceof ApiError ? error.code : ''
        if (code === 'ALREADY_PAID') { navigate(`/done/${encodeURIComponent(held.id)}`, { replace: true }); return }
        if (code === 'HOLD_EXPIRED') { finish('lapsed', errorBox(error)); return }
        if (code === 'RESERVATION_NOT_HELD') { finish('ended', errorBox(error)); return }
        if (code === 'INSUFFICIENT_POINTS') {
          // One warning, not two: the shortfall box says it, with the figure fetched again.
          try { balance = (await api.balance()).balance; setBalance(balance) } catch { /* keep the figure we have */ }
          replaceChildren(feedback, balance !== null && balance < held.price ? null : errorBox(error))
          showMoney()
          return
        }
        replaceChildren(feedback, errorBox(error))
      }
    }).then(() => showMoney())
  })

  cancelButton.addEventListener('click', () => {
    void busy(cancelButton, t('hold.cancel'), async () => {
      try {
        await api.cancel(held.id)
        finish('cancelled')
      } catch (error) {
        if (signal.aborted) return
        if (error instanceof ApiError && error.code === 'RESERVATION_NOT_HELD') finish('ended', errorBox(error))
        else replaceChildren(feedback, errorBox(error))
      }
    })
  })

  replaceChildren(root,
    heading,
    lead,
    h('div', { class: 'hold-layout' },
      h('section', { class: 'card hold-card', 'aria-labelledby': 'hold-seat' },
        countdown,
        connection,
        h('dl', { class: 'facts' },
          h('div', null, h('dt', null, t('hold.concert')), h('dd', null, title ?? held.concertId)),
          h('div', null, h('dt', null, t('hold.date')), h('dd', null, formatDate(held.date))),
          h('div', null, h('dt', { id: 'hold-seat' }, t(many ? 'done.seats' : 'hold.seat')), h('dd', { 'data-testid': 'hold-seat' }, seatLabel(seatNos), grade ? ` · ${grade}` : '')),
          place && h('div', null, h('dt', null, t('hold.where')), h('dd', { 'data-testid': 'hold-where' }, place)),
          h('div', null, h('dt', null, t(many ? 'hold.total' : 'hold.price')), h('dd', { 'data-testid': 'hold-price' }, won(held.price))),
          h('div', null, h('dt', null, t('hold.balance')), balanceText),
          h('div', null, h('dt', null, t('hold.after')), afterText)
        ),
        shortBox,
        feedback,
        actions
      )
    )
  )

  tick()
  if (offline) {
    replaceChildren(connection, noticeBox('warning', t('hold.offline')))
    connection.firstElementChild?.setAttribute('data-state', 'reconnecting')
    retryUntilBack(signal, () => { if (!signal.aborted) void render() })
  }
  if (status !== 'HELD') {
    finish(status === 'EXPIRED' ? 'lapsed' : status === 'CANCELLED' ? 'cancelled' : 'ended')
    return
  }
  showMoney()
}
