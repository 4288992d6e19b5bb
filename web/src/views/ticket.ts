// A confirmed reservation drawn as a ticket: concert, show time, seats, what was paid and when.

import { seatNosOf, type Payment, type Reservation, type ReservedSeat } from '../api'
import { h } from '../dom'
import { formatDate, formatDateTime, t, won } from '../i18n'

export interface TicketInfo {
  reservation: Reservation
  title: string | null
  startsAt: string | null
  /** Known right after paying (the balance it left); absent when the ticket is opened later. */
  payment?: Payment | null
}

/** The grades of a reservation's seats, from the server when it sends them, else as remembered when the seats were held. */
export function gradesOf (reservation: Reservation): string | null {
  const fromServer = reservation.seats?.map(s => s.grade)
  if (fromServer && fromServer.length > 0) return [...new Set(fromServer)].join(', ')
  return sessionStorage.getItem(`cr.grade.${reservation.id}`)
}

/** Where the seats are: "Section R, row 1" per row they sit in (from a server that sends section and row). */
export function placeOf (seats: ReservedSeat[] | undefined): string | null {
  const rows = [...new Set((seats ?? []).filter(s => s.section !== undefined).map(s => s.row ? t('hold.sectionRow', { section: s.section ?? '', row: s.row }) : t('seats.section', { section: s.section ?? '' })))]
  return rows.length > 0 ? rows.join(' · ') : null
}

export function ticketCard ({ reservation, title, startsAt, payment }: TicketInfo): HTMLElement {
  const grade = gradesOf(reservation)
  const paidAt = payment?.paidAt ?? reservation.paidAt ?? null
  const seats = seatNosOf(reservation)
  return h('article', { class: 'ticket', 'aria-labelledby': 'ticket-title', 'data-testid': 'ticket' },
    h('div', { class: 'ticket-main' },
      h('p', { class: 'ticket-kicker' }, t('done.ticket')),
      h('h2', { id: 'ticket-title' }, title ?? reservation.concertId),
      h('p', { class: 'ticket-date' }, startsAt ? formatDateTime(startsAt) : formatDate(reservation.date))
    ),
    h('div', { class: 'ticket-seat' },
      h('span', { class: 'ticket-seat-label' }, t(seats.length > 1 ? 'done.seats' : 'hold.seat')),
      h('span', { class: 'ticket-seat-no', 'data-testid': 'ticket-seat' }, seats.join(', ')),
      grade && h('span', { class: 'ticket-seat-grade' }, grade),
      placeOf(reservation.seats) && h('span', { class: 'ticket-seat-place', 'data-testid': 'ticket-place' }, placeOf(reservation.seats))
    ),
    h('dl', { class: 'facts ticket-facts' },
      h('div', null, h('dt', null, t('done.amount')), h('dd', null, won(payment?.amount ?? reservation.price))),
      paidAt && h('div', null, h('dt', null, t('done.paidAt')), h('dd', null, formatDateTime(paidAt))),
      payment && h('div', null, h('dt', null, t('done.balance')), h('dd', null, won(payment.balance))),
      h('div', null, h('dt', null, t('done.reservation')), h('dd', { class: 'mono' }, reservation.id))
    )
  )
}
