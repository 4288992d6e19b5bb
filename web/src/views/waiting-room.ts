// The waiting room: joins the concert's queue, shows the live place, the progress since joining and the server's
// estimate, and moves on to the seat map when admitted.

import { api, ApiError, streams, type QueueTicket } from '../api'
import { concertTitle } from '../catalog'
import { busy, errorBox, h, loading, noticeBox, pageTitle, replaceChildren } from '../dom'
import { formatDate, t, waitEstimate } from '../i18n'
import { loadPage } from '../load'
import { navigate, render, type ViewContext } from '../router'
import { forgetQueueToken, saveQueueToken } from '../session'
import { openStream } from '../stream'

/** Poll interval when the server does not say (`refreshAfterMs`); well inside the default 60 s heartbeat timeout. */
const HEARTBEAT_MS = 15_000

/** The place the fan had when this token first showed them a position: progress is measured from there. */
function startingPlace (token: string, position: number): number {
  const key = 'cr.queueStart'
  try {
    const saved = JSON.parse(sessionStorage.getItem(key) ?? 'null') as { token?: string, start?: number } | null
    if (saved?.token === token && typeof saved.start === 'number' && saved.start >= position) return saved.start
  } catch { /* start again from here */ }
  sessionStorage.setItem(key, JSON.stringify({ token, start: position }))
  return position
}

export async function waitingRoomView (ctx: ViewContext): Promise<void> {
  const { root, params, signal } = ctx
  const { concertId, date } = params
  const seatsPath = `/seats/${encodeURIComponent(concertId)}/${date}`
  const heading = pageTitle(t('queue.title'))
  replaceChildren(root, heading, h('p', { role: 'status' }, t('queue.joining')), loading())

  const toConcerts = h('a', { class: 'btn btn-ghost', href: '#/concerts' }, t('nav.concerts'))
  const joined = await loadPage(ctx, heading, () => api.joinQueue(concertId, signal), { actions: [toConcerts] })
  if (!joined) return
  let ticket: QueueTicket = joined
  saveQueueToken(concertId, ticket.token)
  if (ticket.status === 'ACTIVE') { navigate(seatsPath, { replace: true }); return }

  const title = await concertTitle(concertId)
  if (signal.aborted) return

  const positionNumber = h('p', { class: 'queue-position', 'data-testid': 'queue-position', 'aria-hidden': 'true' })
  const ahead = h('p', { class: 'queue-ahead' })
  const progressFill = h('span')
  const progress = h('div', { class: 'queue-progress', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-labelledby': 'queue-progress-label', 'data-testid': 'queue-progress' }, progressFill)
  const progressText = h('p', { class: 'queue-progress-text', id: 'queue-progress-label' })
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
  const again = () => h('button', { type: 'button', class: 'btn btn-primary', onClick: () => { void render() } }, t('queue.rejoin'))

  const show = (next: QueueTicket) => {
    if (done || signal.aborted) return
    ticket = next
    if (next.status === 'ACTIVE') {
      finish()
      replaceChildren(feedback, noticeBox('success', t('queue.admitted')))
      // The waiting room is a step, not a place: Back from the seat map goes to where the fan came from.
      setTimeout(() => { if (!signal.aborted) navigate(seatsPath, { replace: true }) }, 400)
      return
    }
    if (next.status === 'SOLD_OUT') {
      finish()
      forgetQueueToken(concertId)
      replaceChildren(root, heading, noticeBox('info', t('error.SOLD_OUT'), toConcerts))
      return
    }
    if (next.status === 'PREQUEUE') {
      positionNumber.textContent = '–'
      ahead.textContent = t('queue.prequeue')
      return
    }
    const start = startingPlace(next.token, next.position)
    const moved = start - next.position
    const percent = start > 0 ? Math.round(moved / start * 100) : 0
    positionNumber.textContent = String(next.position)
    ahead.textContent = next.position <= 1 ? t('queue.aheadNone') : t('queue.ahead', { count: next.position - 1 })
    progressFill.style.width = `${percent}%`
    progress.setAttribute('aria-valuenow', String(percent))
    progressText.textContent = moved > 0 ? t('queue.moved', { moved, start }) : t('queue.startedAt', { start })
    eta.textContent = waitEstimate(next.estimatedWaitRange ?? null, next.estimatedWaitSeconds)
    if (next.position !== lastPosition) {
      sentence.textContent = `${t('queue.announce', { position: next.position })} ${t('queue.eta')}: ${eta.textContent}`
      lastPosition = next.position
    }
  }

  const lapsed = (error: unknown) => {
    if (done || leaving) return
    finish()
    forgetQueueToken(concertId)
    replaceChildren(root, heading, errorBox(error, again(), toConcerts))
  }

  /** Asks for the current state: the heartbeat, and the way to learn why a stream was refused. */
  const check = async () => {
    try {
      show(await api.queueStatus(ticket.token, signal))
      return true
    } catch (error) {
      if (signal.aborted || done) return false
      if (error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 429) lapsed(error)
      return false
    }
  }

  const connect = () => {
    openStream<QueueTicket>(streams.queue, { queueToken: ticket.token }, {
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
      replaceChildren(root, heading, noticeBox('info', t('queue.left'), again(), toConcerts))
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
      progress,
      progressText,
      h('dl', { class: 'facts' }, h('div', null, h('dt', null, t('queue.eta')), eta)),
      sentence,
      h('p', { class: 'muted' }, t('queue.lead')),
      feedback,
      h('div', { class: 'actions' }, leave)
    )
  )
  show(ticket)
  if (done) return
  connect()

  // Polling is the contract's heartbeat (the open stream counts too; this keeps the place when a proxy buffers
  // the stream). The server says how soon to ask again; an older one does not, and then every 15 s.
  let pollTimer: ReturnType<typeof setTimeout> | undefined
  const poll = () => {
    if (done || live.signal.aborted) return
    const wait = typeof ticket.refreshAfterMs === 'number' && ticket.refreshAfterMs > 0 ? ticket.refreshAfterMs : HEARTBEAT_MS
    pollTimer = setTimeout(() => { void check().finally(poll) }, wait)
  }
  live.signal.addEventListener('abort', () => clearTimeout(pollTimer), { once: true })
  poll()
}
