// My reservations, newest first: holds (pay or cancel them here), tickets (open one for its detail), cancelled and lapsed ones.

import { api, ApiError, seatNosOf, serverNow, type Reservation, type ReservationStatus } from '../api'
import { loadCatalog } from '../catalog'
import { busy, errorBox, h, loading, pageTitle, replaceChildren } from '../dom'
import { forgetHold, syncHolds } from '../holds'
import { formatDate, formatDateTime, seatLabel, t, won } from '../i18n'
import { icon, type IconName } from '../icons'
import { loadPage } from '../load'
import type { ViewContext } from '../router'
import { refundControls } from './refund'

const ICONS: Record<ReservationStatus, IconName> = { HELD: 'clock', CONFIRMED: 'check', CANCELLED: 'cross', EXPIRED: 'clock', REFUNDED: 'cross' }

/** A hold past its time has lapsed even if the server has not swept it yet. */
export function statusNow (r: Reservation): ReservationStatus {
  return r.status === 'HELD' && Date.parse(r.heldUntil) <= serverNow() ? 'EXPIRED' : r.status
}

export function statusBadge (status: ReservationStatus): HTMLElement {
  return h('span', { class: `badge badge-${status.toLowerCase()}` }, icon(ICONS[status]), t(`res.status.${status}` as const))
}

/** Cancels a hold from a button; onDone gets the cancelled reservation (or the error is shown in feedback). */
export function cancelHoldButton (r: Reservation, feedback: HTMLElement, onDone: (cancelled: Reservation) => void): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'btn btn-ghost btn-small' }, t('hold.cancel'))
  button.addEventListener('click', () => {
    void busy(button, t('hold.cancel'), async () => {
      try {
        const cancelled = await api.cancel(r.id)
        forgetHold(r.id)
        onDone(cancelled)
      } catch (error) {
        replaceChildren(feedback, errorBox(error))
        // Paid, lapsed or cancelled meanwhile (another tab): show what it is now.
        if (error instanceof ApiError && error.code === 'RESERVATION_NOT_HELD') {
          forgetHold(r.id)
          try { onDone(await api.reservation(r.id)) } catch { /* the message above says enough */ }
        }
      }
    })
  })
  return button
}

export async function reservationsView (ctx: ViewContext): Promise<void> {
  const { root, signal } = ctx
  const heading = pageTitle(t('res.title'))
  replaceChildren(root, heading, loading())
  const loaded = await loadPage(ctx, heading, () => Promise.all([api.myReservations(signal), loadCatalog().catch(() => null)]))
  if (!loaded) return
  const [{ reservations }, catalog] = loaded
  syncHolds(reservations)
  const titles = new Map(catalog?.concerts.map(c => [c.id, c.title]) ?? [])
  const startsAt = new Map(catalog?.dates.map(d => [`${d.concertId}/${d.date}`, d.startsAt]) ?? [])
  const feedback = h('div', { class: 'feedback' })

  const item = (r: Reservation): HTMLElement => {
    const status = statusNow(r)
    const detail = `#/reservations/${encodeURIComponent(r.id)}`
    const when = startsAt.get(`${r.concertId}/${r.date}`)
    const own = h('div', { class: 'feedback res-feedback' })
    const element: HTMLElement = h('li', { class: `res-item res-${status.toLowerCase()}`, 'data-testid': 'reservation', 'data-status': status },
      h('div', { class: 'res-main' },
        h('p', { class: 'res-title' }, titles.get(r.concertId) ?? r.concertId),
        h('p', { class: 'muted' }, when ? formatDateTime(when) : formatDate(r.date)),
        h('p', { class: 'muted small' },
          status === 'HELD' ? t('res.heldUntil', { time: formatDateTime(r.heldUntil) }) : '',
          status === 'CONFIRMED' && r.paidAt ? t('res.paidAt', { time: formatDateTime(r.paidAt) }) : '',
          status === 'REFUNDED' && r.refundedAt ? t('res.refundedAt', { time: formatDateTime(r.refundedAt) }) : '')
      ),
      h('div', { class: 'res-seat' }, h('span', { class: 'res-seat-no' }, seatLabel(seatNosOf(r))), h('span', null, won(r.price))),
      h('div', { class: 'res-side' },
        statusBadge(status),
        h('div', { class: 'res-actions' },
          status === 'HELD' && h('a', { class: 'btn btn-primary btn-small', href: `#/hold/${encodeURIComponent(r.id)}` }, t('res.continue')),
          status === 'HELD' && cancelHoldButton(r, feedback, cancelled => { element.replaceWith(item(cancelled)) }),
          status === 'CONFIRMED' && h('a', { class: 'btn btn-ghost btn-small', href: detail }, icon('ticket'), t('res.ticket')),
          status !== 'HELD' && status !== 'CONFIRMED' && h('a', { class: 'btn btn-ghost btn-small', href: detail }, t('res.details'))
        ),
        status === 'CONFIRMED' && refundControls(r, when ?? null, own, refunded => {
          const next = item(refunded)
          next.querySelector('.res-feedback')?.replaceWith(own)
          element.replaceWith(next)
        })
      ),
      own
    )
    return element
  }

  replaceChildren(root,
    heading,
    feedback,
    reservations.length === 0
      ? h('p', { class: 'muted' }, t('res.empty'), ' ', h('a', { href: '#/concerts' }, t('nav.concerts')))
      : h('ul', { class: 'res-list' }, reservations.map(item))
  )
}
