// After paying: the confirmed seat as a ticket, with the amount paid and the points left.

import { api, type Payment, type Reservation } from '../api'
import { concertTitle, showStartsAt } from '../catalog'
import { errorBox, h, loading, pageTitle, replaceChildren, retryButton } from '../dom'
import { formatDate, formatDateTime, t, won } from '../i18n'
import { navigate, render, type ViewContext } from '../router'

function storedPayment (reservationId: string): Payment | null {
  try {
    const raw = sessionStorage.getItem(`cr.payment.${reservationId}`)
    return raw ? JSON.parse(raw) as Payment : null
  } catch {
    return null
  }
}

export async function confirmationView ({ root, params, signal }: ViewContext): Promise<void> {
  const heading = pageTitle(t('done.title'))
  replaceChildren(root, heading, loading())
  let reservation: Reservation
  try {
    reservation = await api.reservation(params.reservationId, signal)
  } catch (error) {
    if (signal.aborted) return
    replaceChildren(root, heading, errorBox(error, retryButton(render)))
    return
  }
  if (signal.aborted) return
  if (reservation.status !== 'CONFIRMED') { navigate(`/hold/${encodeURIComponent(reservation.id)}`); return }

  const [title, startsAt] = await Promise.all([concertTitle(reservation.concertId), showStartsAt(reservation.concertId, reservation.date)])
  if (signal.aborted) return
  const payment = storedPayment(reservation.id)
  const grade = sessionStorage.getItem(`cr.grade.${reservation.id}`)
  const paidAt = payment?.paidAt ?? reservation.paidAt ?? null

  replaceChildren(root,
    h('div', { class: 'success-banner', role: 'status' },
      h('span', { class: 'success-icon', 'aria-hidden': 'true' }, '✓'),
      h('div', null, heading, h('p', { class: 'lead' }, t('done.lead')))
    ),
    h('article', { class: 'ticket', 'aria-labelledby': 'ticket-title', 'data-testid': 'ticket' },
      h('div', { class: 'ticket-main' },
        h('p', { class: 'ticket-kicker' }, t('done.ticket')),
        h('h2', { id: 'ticket-title' }, title ?? reservation.concertId),
        h('p', { class: 'ticket-date' }, startsAt ? formatDateTime(startsAt) : formatDate(reservation.date))
      ),
      h('div', { class: 'ticket-seat' },
        h('span', { class: 'ticket-seat-label' }, t('hold.seat')),
        h('span', { class: 'ticket-seat-no', 'data-testid': 'ticket-seat' }, String(reservation.seatNo)),
        grade && h('span', { class: 'ticket-seat-grade' }, grade)
      ),
      h('dl', { class: 'facts ticket-facts' },
        h('div', null, h('dt', null, t('done.amount')), h('dd', null, won(payment?.amount ?? reservation.price))),
        paidAt && h('div', null, h('dt', null, t('done.paidAt')), h('dd', null, formatDateTime(paidAt))),
        payment && h('div', null, h('dt', null, t('done.balance')), h('dd', null, won(payment.balance))),
        h('div', null, h('dt', null, t('done.reservation')), h('dd', { class: 'mono' }, reservation.id))
      )
    ),
    h('div', { class: 'actions' },
      h('a', { class: 'btn btn-primary', href: '#/reservations' }, t('done.myReservations')),
      h('a', { class: 'btn btn-ghost', href: '#/concerts' }, t('done.more'))
    )
  )
}
