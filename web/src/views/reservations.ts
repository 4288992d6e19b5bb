// My reservations, newest first: what is on hold (with a way back to paying), confirmed, cancelled or lapsed.

import { api, serverNow, type Reservation, type ReservationStatus } from '../api'
import { loadCatalog } from '../catalog'
import { errorBox, h, loading, pageTitle, replaceChildren, retryButton } from '../dom'
import { formatDate, formatDateTime, t, won } from '../i18n'
import { render, type ViewContext } from '../router'
import { icon, type IconName } from '../icons'

const ICONS: Record<ReservationStatus, IconName> = { HELD: 'clock', CONFIRMED: 'check', CANCELLED: 'cross', EXPIRED: 'clock' }

export async function reservationsView ({ root, signal }: ViewContext): Promise<void> {
  const heading = pageTitle(t('res.title'))
  replaceChildren(root, heading, loading())
  let reservations: Reservation[]
  let titles = new Map<string, string>()
  try {
    const [mine, catalog] = await Promise.all([api.myReservations(signal), loadCatalog().catch(() => null)])
    reservations = mine.reservations
    if (catalog) titles = new Map(catalog.concerts.map(c => [c.id, c.title]))
  } catch (error) {
    if (signal.aborted) return
    replaceChildren(root, heading, errorBox(error, retryButton(render)))
    return
  }
  if (signal.aborted) return

  const item = (r: Reservation) => {
    // A hold past its time has lapsed even if the server has not swept it yet.
    const status: ReservationStatus = r.status === 'HELD' && Date.parse(r.heldUntil) <= serverNow() ? 'EXPIRED' : r.status
    return h('li', { class: `res-item res-${status.toLowerCase()}`, 'data-testid': 'reservation', 'data-status': status },
      h('div', { class: 'res-main' },
        h('p', { class: 'res-title' }, titles.get(r.concertId) ?? r.concertId),
        h('p', { class: 'muted' }, formatDate(r.date)),
        h('p', { class: 'muted small' },
          status === 'HELD' ? t('res.heldUntil', { time: formatDateTime(r.heldUntil) }) : '',
          status === 'CONFIRMED' && r.paidAt ? t('res.paidAt', { time: formatDateTime(r.paidAt) }) : '')
      ),
      h('div', { class: 'res-seat' }, h('span', { class: 'res-seat-no' }, t('res.seat', { no: r.seatNo })), h('span', null, won(r.price))),
      h('div', { class: 'res-side' },
        h('span', { class: `badge badge-${status.toLowerCase()}` }, icon(ICONS[status]), t(`res.status.${status}` as const)),
        status === 'HELD' && h('a', { class: 'btn btn-primary btn-small', href: `#/hold/${encodeURIComponent(r.id)}` }, t('res.continue'))
      )
    )
  }

  replaceChildren(root,
    heading,
    reservations.length === 0
      ? h('p', { class: 'muted' }, t('res.empty'), ' ', h('a', { href: '#/concerts' }, t('nav.concerts')))
      : h('ul', { class: 'res-list' }, reservations.map(item))
  )
}
