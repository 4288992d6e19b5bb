// A held seat: the countdown to its lapse, the points it needs, paying (one Idempotency-Key per click) and cancelling.

import { api, ApiError, newIdempotencyKey, serverNow, type Reservation } from '../api'
import { setBalance } from '../balance'
import { concertTitle } from '../catalog'
import { announce, busy, errorBox, h, loading, noticeBox, pageTitle, replaceChildren, retryButton } from '../dom'
import { clock, formatDate, t, won } from '../i18n'
import { navigate, render, type ViewContext } from '../router'
import { forgetQueueToken } from '../session'

/** A top-up that covers the shortfall, rounded up to a whole 10,000 won. */
function topUpFor (shortfall: number): number {
  return Math.max(shortfall, Math.ceil(shortfall / 10_000) * 10_000)
}

export async function holdView ({ root, params, signal }: ViewContext): Promise<void> {
  const heading = pageTitle(t('hold.title'))
  replaceChildren(root, heading, loading())

  let reservation: Reservation
  let balance: number
  try {
    [reservation, { balance }] = await Promise.all([api.reservation(params.reservationId, signal), api.balance(signal)])
  } catch (error) {
    if (signal.aborted) return
    replaceChildren(root, heading, errorBox(error, retryButton(render)))
    return
  }
  if (signal.aborted) return
  setBalance(balance)
  if (reservation.status === 'CONFIRMED') { navigate(`/done/${encodeURIComponent(reservation.id)}`); return }

  const title = await concertTitle(reservation.concertId)
  if (signal.aborted) return
  const seatsPath = `#/seats/${encodeURIComponent(reservation.concertId)}/${reservation.date}`
  const grade = sessionStorage.getItem(`cr.grade.${reservation.id}`)
  const heldUntil = Date.parse(reservation.heldUntil)
  // The bar runs from when the seat was held (remembered by the seat map) or, failing that, from now.
  const heldAt = Number(sessionStorage.getItem(`cr.heldAt.${reservation.id}`)) || serverNow()
  const totalMs = Math.max(1, heldUntil - heldAt)
  const backToSeats = () => h('a', { class: 'btn btn-primary', href: seatsPath }, t('hold.backToSeats'))

  const timeText = h('p', { class: 'countdown-time', role: 'timer', 'aria-live': 'off', 'data-testid': 'hold-countdown' })
  const bar = h('div', { class: 'countdown-bar', 'aria-hidden': 'true' }, h('span'))
  const countdown = h('div', { class: 'countdown' }, h('p', { class: 'countdown-label' }, t('hold.timeLeft')), timeText, bar)
  const balanceText = h('dd', { 'data-testid': 'hold-balance' }, won(balance))
  const shortBox = h('div', { class: 'short-box' })
  const feedback = h('div', { class: 'feedback', 'data-testid': 'hold-feedback' })
  const payButton = h('button', { type: 'button', class: 'btn btn-primary btn-large' }, t('hold.pay', { amount: won(reservation.price) }))
  const cancelButton = h('button', { type: 'button', class: 'btn btn-ghost' }, t('hold.cancel'))
  const actions = h('div', { class: 'actions' }, payButton, cancelButton)
  let finished = false

  const finish = (notice: HTMLElement) => {
    finished = true
    clearInterval(timer)
    countdown.classList.add('countdown-over')
    replaceChildren(actions, backToSeats())
    replaceChildren(shortBox)
    replaceChildren(feedback, notice)
  }

  const showShortfall = () => {
    const shortfall = reservation.price - balance
    if (finished || shortfall <= 0) { replaceChildren(shortBox); return }
    const amount = topUpFor(shortfall)
    const charge = h('button', { type: 'button', class: 'btn' }, t('hold.chargeShort', { amount: won(amount) }))
    charge.addEventListener('click', () => {
      void busy(charge, t('points.charging'), async () => {
        try {
          const result = await api.charge(amount, newIdempotencyKey())
          balance = result.balance
          setBalance(balance)
          balanceText.textContent = won(balance)
          replaceChildren(feedback, noticeBox('success', t('hold.charged', { amount: won(amount), balance: won(balance) })))
          showShortfall()
        } catch (error) {
          replaceChildren(feedback, errorBox(error))
        }
      })
    })
    replaceChildren(shortBox, noticeBox('warning', t('hold.short', { amount: won(shortfall) }), charge))
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
    if (leftMs <= 0 && !finished) {
      finish(noticeBox('warning', t('hold.lapsed')))
    }
  }
  const timer = setInterval(tick, 250)
  signal.addEventListener('abort', () => clearInterval(timer), { once: true })

  // ---- paying and cancelling ------------------------------------------------------------------------
  payButton.addEventListener('click', () => {
    void busy(payButton, t('hold.paying'), async () => {
      try {
        const payment = await api.pay(reservation.id, newIdempotencyKey())
        setBalance(payment.balance)
        sessionStorage.setItem(`cr.payment.${reservation.id}`, JSON.stringify(payment))
        forgetQueueToken(reservation.concertId) // the queue token lapses once the user pays
        navigate(`/done/${encodeURIComponent(reservation.id)}`)
      } catch (error) {
        if (signal.aborted) return
        const code = error instanceof ApiError ? error.code : ''
        if (code === 'ALREADY_PAID') { navigate(`/done/${encodeURIComponent(reservation.id)}`); return }
        if (code === 'HOLD_EXPIRED' || code === 'RESERVATION_NOT_HELD') { finish(errorBox(error)); return }
        replaceChildren(feedback, errorBox(error))
        if (code === 'INSUFFICIENT_POINTS') {
          try { balance = (await api.balance()).balance; setBalance(balance); balanceText.textContent = won(balance) } catch { /* keep the figure we have */ }
          showShortfall()
        }
      }
    })
  })

  cancelButton.addEventListener('click', () => {
    void busy(cancelButton, t('hold.cancel'), async () => {
      try {
        await api.cancel(reservation.id)
        finish(noticeBox('success', t('hold.cancelled')))
      } catch (error) {
        if (signal.aborted) return
        if (error instanceof ApiError && error.code === 'RESERVATION_NOT_HELD') finish(errorBox(error))
        else replaceChildren(feedback, errorBox(error))
      }
    })
  })

  replaceChildren(root,
    heading,
    h('p', { class: 'lead' }, t('hold.lead')),
    h('div', { class: 'hold-layout' },
      h('section', { class: 'card hold-card', 'aria-labelledby': 'hold-seat' },
        countdown,
        h('dl', { class: 'facts' },
          h('div', null, h('dt', null, t('hold.concert')), h('dd', null, title ?? reservation.concertId)),
          h('div', null, h('dt', null, t('hold.date')), h('dd', null, formatDate(reservation.date))),
          h('div', null, h('dt', { id: 'hold-seat' }, t('hold.seat')), h('dd', { 'data-testid': 'hold-seat' }, t('res.seat', { no: reservation.seatNo }), grade ? ` · ${grade}` : '')),
          h('div', null, h('dt', null, t('hold.price')), h('dd', null, won(reservation.price))),
          h('div', null, h('dt', null, t('hold.balance')), balanceText)
        ),
        shortBox,
        feedback,
        actions
      )
    )
  )

  if (reservation.status !== 'HELD') {
    tick()
    finish(noticeBox('warning', reservation.status === 'EXPIRED' ? t('hold.lapsed') : reservation.status === 'CANCELLED' ? t('hold.cancelled') : t('hold.notHeld')))
    return
  }
  tick()
  showShortfall()
}
