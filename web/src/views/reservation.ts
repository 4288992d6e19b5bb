// One reservation from My reservations: the ticket of a confirmed one, or what a hold, a cancel or a lapse left.

import { api, seatNosOf, type Reservation } from '../api'
import { concertTitle, showStartsAt } from '../catalog'
import { h, loading, pageTitle, replaceChildren } from '../dom'
import { formatDate, formatDateTime, seatLabel, t, won } from '../i18n'
import { loadPage } from '../load'
import type { ViewContext } from '../router'
import { cancelHoldButton, statusBadge, statusNow } from './reservations'
import { gradesOf, ticketCard } from './ticket'
import { refundControls } from './refund'

export async function reservationView (ctx: ViewContext): Promise<void> {
  const { root, params, signal } = ctx
  const heading = pageTitle(t('ticket.title'))
  replaceChildren(root, heading, loading())
  const loaded = await loadPage(ctx, heading, async () => {
    const reservation = await api.reservation(params.reservationId, signal)
    const [title, startsAt] = await Promise.all([concertTitle(reservation.concertId), showStartsAt(reservation.concertId, reservation.date)])
    return { reservation, title, startsAt }
  })
  if (!loaded) return
  const { title, startsAt } = loaded
  const back = h('a', { class: 'btn btn-ghost', href: '#/reservations' }, t('ticket.back'))
  const feedback = h('div', { class: 'feedback' })
  const body = h('div', { class: 'reservation-detail' })

  const show = (reservation: Reservation) => {
    const status = statusNow(reservation)
    if (status === 'CONFIRMED') {
      replaceChildren(body, ticketCard({ reservation, title, startsAt }), feedback,
        h('div', { class: 'actions ticket-actions' }, back, refundControls(reservation, startsAt, feedback, show)))
      return
    }
    const grade = gradesOf(reservation)
    replaceChildren(body,
      h('section', { class: 'card', 'data-testid': 'reservation-detail', 'data-status': status },
        h('div', { class: 'detail-head' }, h('h2', null, title ?? reservation.concertId), statusBadge(status)),
        h('dl', { class: 'facts' },
          h('div', null, h('dt', null, t('hold.date')), h('dd', null, startsAt ? formatDateTime(startsAt) : formatDate(reservation.date))),
          h('div', null, h('dt', null, t('hold.seat')), h('dd', null, seatLabel(seatNosOf(reservation)), grade ? ` · ${grade}` : '')),
          h('div', null, h('dt', null, t('hold.price')), h('dd', null, won(reservation.price))),
          status === 'HELD' && h('div', null, h('dt', null, t('ticket.heldUntil')), h('dd', null, formatDateTime(reservation.heldUntil))),
          status === 'REFUNDED' && reservation.refundedAt && h('div', null, h('dt', null, t('ticket.refundedAt')), h('dd', null, formatDateTime(reservation.refundedAt))),
          h('div', null, h('dt', null, t('done.reservation')), h('dd', { class: 'mono' }, reservation.id))
        ),
        feedback,
        h('div', { class: 'actions' },
          status === 'HELD' && h('a', { class: 'btn btn-primary', href: `#/hold/${encodeURIComponent(reservation.id)}` }, t('res.continue')),
          status === 'HELD' && cancelHoldButton(reservation, feedback, show),
          back
        )
      )
    )
  }
  replaceChildren(root, heading, body)
  show(loaded.reservation)
}
