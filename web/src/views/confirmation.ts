// After paying: the confirmed seats as a ticket, with the amount paid and the points left.

import { api, type Payment } from '../api'
import { concertTitle, showStartsAt } from '../catalog'
import { h, loading, pageTitle, replaceChildren } from '../dom'
import { t } from '../i18n'
import { loadPage } from '../load'
import { navigate, type ViewContext } from '../router'
import { ticketCard } from './ticket'

function storedPayment (reservationId: string): Payment | null {
  try {
    const raw = sessionStorage.getItem(`cr.payment.${reservationId}`)
    return raw ? JSON.parse(raw) as Payment : null
  } catch {
    return null
  }
}

export async function confirmationView (ctx: ViewContext): Promise<void> {
  const { root, params, signal } = ctx
  const heading = pageTitle(t('done.title'))
  replaceChildren(root, heading, loading())
  const reservation = await loadPage(ctx, heading, () => api.reservation(params.reservationId, signal))
  if (!reservation) return
  if (reservation.status !== 'CONFIRMED') { navigate(`/hold/${encodeURIComponent(reservation.id)}`, { replace: true }); return }

  const [title, startsAt] = await Promise.all([concertTitle(reservation.concertId), showStartsAt(reservation.concertId, reservation.date)])
  if (signal.aborted) return

  replaceChildren(root,
    h('div', { class: 'success-banner', role: 'status' },
      h('span', { class: 'success-icon', 'aria-hidden': 'true' }, '✓'),
      h('div', null, heading, h('p', { class: 'lead' }, t('done.lead')))
    ),
    ticketCard({ reservation, title, startsAt, payment: storedPayment(reservation.id) }),
    h('div', { class: 'actions' },
      h('a', { class: 'btn btn-primary', href: '#/reservations' }, t('done.myReservations')),
      h('a', { class: 'btn btn-ghost', href: '#/concerts' }, t('done.more'))
    )
  )
}
