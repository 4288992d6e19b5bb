// Refunding a confirmed order: until when it is possible (REFUND_CUTOFF_HOURS before the show), a confirmation
// step, one Idempotency-Key per refund (kept while its outcome is unknown), and a refund that closed meanwhile.

import { api, ApiError, isTransient, newIdempotencyKey, serverNow, type Reservation } from '../api'
import { setBalance } from '../balance'
import { busy, errorBox, h, noticeBox, replaceChildren } from '../dom'
import { formatDateTime, t, won } from '../i18n'

/**
 * REFUND_CUTOFF_HOURS' documented default. The API does not publish it; a server set otherwise answers
 * REFUND_CLOSED with its own `closedAt`, and the app shows that instead.
 */
export const REFUND_CUTOFF_HOURS = 24

/** When refunds of a show close, or null when the show's start is not known. */
export function refundClosesAt (startsAt: string | null): number | null {
  return startsAt ? Date.parse(startsAt) - REFUND_CUTOFF_HOURS * 3600_000 : null
}

/** The refund part of a confirmed reservation: the deadline explained and the button, or why it is closed. */
export function refundControls (r: Reservation, startsAt: string | null, feedback: HTMLElement, onDone: (refunded: Reservation) => void): HTMLElement {
  const box = h('div', { class: 'refund', 'data-testid': 'refund' })
  const closesAt = refundClosesAt(startsAt)
  let key: string | null = null

  const closed = (at: string | number | null) => {
    replaceChildren(box, h('p', { class: 'muted small', 'data-testid': 'refund-closed' },
      at === null ? t('refund.closedNoTime') : t('refund.closed', { time: formatDateTime(new Date(at).toISOString()), hours: REFUND_CUTOFF_HOURS })))
  }
  const offer = () => {
    const button = h('button', { type: 'button', class: 'btn btn-ghost btn-small' }, t('refund.button'))
    button.addEventListener('click', confirm)
    replaceChildren(box,
      closesAt !== null && h('p', { class: 'muted small', 'data-testid': 'refund-until' },
        t('refund.until', { time: formatDateTime(new Date(closesAt).toISOString()), hours: REFUND_CUTOFF_HOURS })),
      button)
  }
  const confirm = () => {
    const yes = h('button', { type: 'button', class: 'btn btn-danger btn-small' }, t('refund.confirm', { amount: won(r.price) }))
    const no = h('button', { type: 'button', class: 'btn btn-ghost btn-small', onClick: () => { replaceChildren(feedback); offer() } }, t('refund.keep'))
    replaceChildren(box, h('div', { class: 'refund-confirm', role: 'group', 'aria-label': t('refund.button') },
      h('p', { class: 'small' }, t('refund.question', { amount: won(r.price) })),
      h('div', { class: 'res-actions' }, yes, no)))
    yes.focus()
    yes.addEventListener('click', () => {
      key ??= newIdempotencyKey()
      const attempt = key
      void busy(yes, t('refund.refunding'), async () => {
        try {
          const refund = await api.refund(r.id, attempt)
          key = null
          setBalance(refund.balance)
          replaceChildren(feedback, noticeBox('success', t('refund.done', { amount: won(refund.amount), balance: won(refund.balance) })))
          onDone({ ...r, status: 'REFUNDED', refundedAt: refund.refundedAt })
        } catch (error) {
          // No answer: the same key again is the same refund, never a second one.
          if (isTransient(error)) { replaceChildren(feedback, errorBox(error), noticeBox('info', t('refund.unknown'))); return }
          key = null
          const code = error instanceof ApiError ? error.code : ''
          if (code === 'REFUND_CLOSED') {
            const at = error instanceof ApiError && typeof error.problem.closedAt === 'string' ? error.problem.closedAt : closesAt
            replaceChildren(feedback, errorBox(error))
            closed(at)
            return
          }
          replaceChildren(feedback, errorBox(error))
          // Refunded or changed elsewhere (another tab): show what it is now.
          if (code === 'ALREADY_REFUNDED' || code === 'RESERVATION_NOT_CONFIRMED') {
            try { onDone(await api.reservation(r.id)) } catch { /* the message says enough */ }
            return
          }
          offer()
        }
      })
    })
  }

  if (closesAt !== null && closesAt <= serverNow()) closed(closesAt)
  else offer()
  return box
}
