// The waiting room: joins the concert's queue, shows the live position and ETA over SSE, moves on to the seat map when admitted.

import { api, ApiError, queueEventsUrl, type QueueTicket } from '../api'
import { concertTitle } from '../catalog'
import { busy, errorBox, h, loading, noticeBox, pageTitle, replaceChildren, retryButton } from '../dom'
import { formatDate, roughWait, t } from '../i18n'
import { navigate, render, type ViewContext } from '../router'
import { forgetQueueToken, saveQueueToken } from '../session'
import { openStream } from '../stream'

const HEARTBEAT_MS = 15_000

export async function waitingRoomView ({ root, params, signal }: ViewContext): Promise<void> {
  const { concertId, date } = params
  const seatsPath = `/seats/${encodeURIComponent(concertId)}/${date}`
  const heading = pageTitle(t('queue.title'))
  replaceChildren(root, heading, h('p', { role: 'status' }, t('queue.joining')), loading())

  const retry = retryButton(render)
  let ticket: QueueTicket
  try {
    ticket = await api.joinQueue(concertId, signal)
  } catch (error) {
    if (signal.aborted) return
    replaceChildren(root, heading, errorBox(error, retry, h('a', { class: 'btn btn-ghost', href: '#/concerts' }, t('common.back'))))
    return
  }
  if (signal.aborted) return
  saveQueueToken(concertId, ticket.token)
  if (ticket.status === 'ACTIVE') { navigate(seatsPath); return }

  const title = await concertTitle(concertId)
  if (signal.aborted) return

  const positionNumber = h('p', { class: 'queue-position', 'data-testid': 'queue-position', 'aria-hidden': 'true' })
  const ahead = h('p', { class: 'queue-ahead' })
  const eta = h('dd', { 'data-testid': 'queue-eta' })
  const sentence = h('p', { class: 'visually-hidden', role: 'status' })
  const liveState = h('span', { class: 'live-indicator', 'data-state': 'connecting' }, t('queue.reconnecting'))
  const feedback = h('div', { class: 'feedback' })
  const leave = h('button', { type: 'button', class: 'btn btn-ghost' }, t('queue.leave'))
  let lastPosition = -1
  let done = false
  let leaving = false // our own DELETE ends the stream with `expired` too: that is not a lapse
  // The stream and the heartbeat stop when the view ends or the wait is over (admitted, left, lapsed).
  const live = new AbortController()
  signal.addEventListener('abort', () => live.abort(), { once: true })
  const finish = () => { done = true; live.abort() }

  const show = (next: QueueTicket) => {
    if (done || signal.aborted) return
    ticket = next
    if (next.status === 'ACTIVE') {
      finish()
      replaceChildren(feedback, noticeBox('success', t('queue.admitted')))
      setTimeout(() => { if (!signal.aborted) navigate(seatsPath) }, 400)
      return
    }
    positionNumber.textContent = String(next.position)
    ahead.textContent = next.position <= 1 ? t('queue.aheadNone') : t('queue.ahead', { count: next.position - 1 })
    eta.textContent = next.estimatedWaitSeconds > 0 ? roughWait(next.estimatedWaitSeconds) : t('queue.etaUnknown')
    if (next.position !== lastPosition) {
      sentence.textContent = `${t('queue.announce', { position: next.position })} ${t('queue.eta')}: ${eta.textContent}`
      lastPosition = next.position
    }
  }

  const lapsed = (error: unknown) => {
    if (done || leaving) return
    finish()
    forgetQueueToken(concertId)
    replaceChildren(root, heading, errorBox(error,
      h('button', { type: 'button', class: 'btn btn-primary', onClick: () => { void render() } }, t('queue.rejoin')),
      h('a', { class: 'btn btn-ghost', href: '#/concerts' }, t('nav.concerts'))
    ))
  }

  /** Asks for the current state: the heartbeat when the stream is down, and the way to learn why a stream was refused. */
  const check = async () => {
    try {
      show(await api.queueStatus(ticket.token, signal))
      return true
    } catch (error) {
      if (signal.aborted || done) return false
      if (error instanceof ApiError && error.status >= 400 && error.status < 500) lapsed(error)
      return false
    }
  }

  const connect = () => {
    openStream<QueueTicket>(queueEventsUrl(ticket.token), {
      onMessage: show,
      final: { expired: () => lapsed(new ApiError(410, 'QUEUE_TOKEN_EXPIRED', '', null)) },
      onOpen: () => { liveState.dataset.state = 'live'; liveState.textContent = t('queue.live') },
      onReconnecting: () => { liveState.dataset.state = 'connecting'; liveState.textContent = t('queue.reconnecting') },
      onRefused: () => {
        liveState.dataset.state = 'connecting'
        liveState.textContent = t('queue.reconnecting')
        void check().then(ok => { if (ok) setTimeout(() => { if (!done) connect() }, 3000) })
      }
    }, live.signal)
  }

  leave.addEventListener('click', () => {
    leaving = true
    void busy(leave, t('queue.leave'), async () => {
      try {
        await api.leaveQueue(ticket.token)
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 410)) { leaving = false; replaceChildren(feedback, errorBox(error)); return }
      }
      finish()
      forgetQueueToken(concertId)
      replaceChildren(root, heading, noticeBox('info', t('queue.left'),
        h('button', { type: 'button', class: 'btn btn-primary', onClick: () => { void render() } }, t('queue.rejoin')),
        h('a', { class: 'btn btn-ghost', href: '#/concerts' }, t('nav.concerts'))
      ))
    })
  })

  replaceChildren(root,
    heading,
    h('p', { class: 'subtitle' }, title ? `${title} · ` : '', formatDate(date)),
    h('section', { class: 'card queue-card', 'aria-labelledby': 'queue-position-label' },
      h('div', { class: 'queue-top' }, liveState),
      h('p', { class: 'queue-label', id: 'queue-position-label' }, t('queue.position')),
      positionNumber,
      ahead,
      h('div', { class: 'queue-progress', 'aria-hidden': 'true' }, h('span')),
      h('dl', { class: 'facts' }, h('div', null, h('dt', null, t('queue.eta')), eta)),
      sentence,
      h('p', { class: 'muted' }, t('queue.lead')),
      feedback,
      h('div', { class: 'actions' }, leave)
    )
  )
  show(ticket)
  connect()

  // Polling is the contract's heartbeat; the open stream counts too, this keeps a place when a proxy buffers SSE.
  const timer = setInterval(() => { void check() }, HEARTBEAT_MS)
  live.signal.addEventListener('abort', () => clearInterval(timer), { once: true })
}
