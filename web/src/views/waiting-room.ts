// The waiting room: joins the concert's queue and shows where the fan stands — before sales open (the opening time
// and the draw to check), waiting (place, progress since joining, the server's estimate, a likely sell-out), sold
// out for now (the place is kept) — and moves on to the seat map when admitted.

import { api, ApiError, serverNow, streams, type QueueTicket } from '../api'
import { concertOf } from '../catalog'
import { busy, errorBox, h, loading, noticeBox, pageTitle, replaceChildren } from '../dom'
import { clock, formatDate, formatDateTime, t, waitEstimate } from '../i18n'
import { loadPage } from '../load'
import { navigate, render, type ViewContext } from '../router'
import { forgetQueueToken, saveQueueToken, saveQueueTokenId } from '../session'
import { openStream } from '../stream'
import { drawPanel, type DrawPanel } from './draw'

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

  const toConcerts = () => h('a', { class: 'btn btn-ghost', href: '#/concerts' }, t('queue.otherConcerts'))
  const soldOutJoin = (error: unknown) => {
    if (!(error instanceof ApiError && error.code === 'SOLD_OUT')) return false
    // Nobody gets a place while every seat is sold; seats can still come back (a refund), so checking again makes sense.
    replaceChildren(root, heading, h('div', { 'data-testid': 'queue-sold-out' }, noticeBox('info', t('queue.soldOutJoin'),
      h('button', { type: 'button', class: 'btn', onClick: () => { void render() } }, t('queue.checkAgain')), toConcerts())))
    return true
  }
  const joined = await loadPage(ctx, heading, () => api.joinQueue(concertId, signal), { actions: [toConcerts()], handle: soldOutJoin })
  if (!joined) return
  let ticket: QueueTicket = joined
  saveQueueToken(concertId, ticket.token)
  saveQueueTokenId(concertId, ticket.tokenId)
  if (ticket.status === 'ACTIVE') { navigate(seatsPath, { replace: true }); return }

  const concert = await concertOf(concertId)
  if (signal.aborted) return
  const opensAt = concert?.salesOpenAt ?? null

  const stateBox = h('div', { class: 'queue-state', 'data-testid': 'queue-state' })
  const positionNumber = h('p', { class: 'queue-position', 'data-testid': 'queue-position', 'aria-hidden': 'true' })
  const ahead = h('p', { class: 'queue-ahead' })
  const progressFill = h('span')
  const progress = h('div', { class: 'queue-progress', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-labelledby': 'queue-progress-label', 'data-testid': 'queue-progress' }, progressFill)
  const progressText = h('p', { class: 'queue-progress-text', id: 'queue-progress-label' })
  const eta = h('dd', { 'data-testid': 'queue-eta' })
  const etaLabel = h('dt', null, t('queue.eta'))
  // The estimate is for a place in line: before the opening the countdown says it, while sold out there is none.
  const facts = h('dl', { class: 'facts' }, h('div', null, etaLabel, eta))
  const lead = h('p', { class: 'muted' }, t('queue.lead'))
  const likely = h('div', { class: 'feedback', 'data-testid': 'queue-likely' })
  const place = h('div', { class: 'queue-place' },
    h('p', { class: 'queue-label', id: 'queue-position-label' }, t('queue.position')), positionNumber, ahead, progress, progressText)
  const opening = h('div', { class: 'queue-opening', 'data-testid': 'queue-opening' })
  const sentence = h('p', { class: 'visually-hidden', role: 'status' })
  const liveState = h('span', { class: 'live-indicator', 'data-state': 'connecting' }, t('queue.reconnecting'))
  const feedback = h('div', { class: 'feedback' })
  const leave = h('button', { type: 'button', class: 'btn btn-ghost' }, t('queue.leave'))
  let lastPosition = -1
  let lastStatus = ''
  let done = false
  let leaving = false // our own DELETE ends the stream with `expired` too: that is not a lapse
  // The stream and the heartbeat stop when the view ends or the wait is over (admitted, left, lapsed).
  const live = new AbortController()
  signal.addEventListener('abort', () => live.abort(), { once: true })
  const finish = () => { done = true; live.abort() }
  const again = () => h('button', { type: 'button', class: 'btn btn-primary', onClick: () => { void render() } }, t('queue.rejoin'))
  let draw: DrawPanel | null = null
  const drawBox = h('div', { class: 'draw-slot' })
  const showDraw = () => {
    // Only a concert with a pre-queue has a draw; the panel reads it again once the fan's place was drawn.
    if (!opensAt) return
    if (!draw) {
      draw = drawPanel(concertId, opensAt, () => ({ tokenId: ticket.tokenId ?? null, drawKey: ticket.drawKey }), live.signal)
      replaceChildren(drawBox, draw.element)
    } else void draw.refresh()
  }

  // The opening's countdown, while PREQUEUE.
  let openingTimer: ReturnType<typeof setInterval> | undefined
  const tickOpening = () => {
    if (!opensAt) return
    const left = (Date.parse(opensAt) - serverNow()) / 1000
    opening.replaceChildren(
      h('p', { class: 'queue-label' }, t('queue.opensAt', { time: formatDateTime(opensAt) })),
      h('p', { class: 'queue-position queue-countdown', 'data-testid': 'queue-countdown' }, clock(Math.max(0, left))),
      h('p', { class: 'queue-ahead' }, left > 0 ? t('queue.opensIn') : t('queue.opening'))
    )
  }
  live.signal.addEventListener('abort', () => clearInterval(openingTimer), { once: true })

  const show = (next: QueueTicket) => {
    if (done || signal.aborted) return
    const previous = ticket
    ticket = next
    saveQueueTokenId(concertId, next.tokenId)
    if (next.status === 'ACTIVE') {
      finish()
      replaceChildren(feedback, noticeBox('success', t('queue.admitted')))
      // The waiting room is a step, not a place: Back from the seat map goes to where the fan came from.
      setTimeout(() => { if (!signal.aborted) navigate(seatsPath, { replace: true }) }, 400)
      return
    }
    const changed = next.status !== lastStatus
    lastStatus = next.status
    stateBox.dataset.status = next.status
    facts.hidden = next.status !== 'WAITING'
    lead.hidden = next.status !== 'WAITING'
    if (next.status === 'PREQUEUE') {
      if (changed) {
        replaceChildren(stateBox, opening, h('p', { class: 'muted' }, t('queue.prequeue')))
        tickOpening()
        clearInterval(openingTimer)
        openingTimer = setInterval(tickOpening, 1000)
        showDraw()
      }
      return
    }
    clearInterval(openingTimer)
    if (next.status === 'SOLD_OUT') {
      // The place is kept (still with its heartbeat): seats that come back reopen the room at this place.
      if (changed) replaceChildren(stateBox, noticeBox('warning', t('queue.soldOutNow'), toConcerts()))
      replaceChildren(likely)
      return
    }
    if (changed) replaceChildren(stateBox, place)
    // The draw has placed the fan: now the panel can check it.
    if (previous.status === 'PREQUEUE' || (next.drawKey && !previous.drawKey)) showDraw()
    const position = next.position ?? 0
    const start = startingPlace(next.token, position)
    const moved = start - position
    const percent = start > 0 ? Math.round(moved / start * 100) : 0
    positionNumber.textContent = String(position)
    ahead.textContent = position <= 1 ? t('queue.aheadNone') : t('queue.ahead', { count: position - 1 })
    progressFill.style.width = `${percent}%`
    progress.setAttribute('aria-valuenow', String(percent))
    progressText.textContent = moved > 0 ? t('queue.moved', { moved, start }) : t('queue.startedAt', { start })
    eta.textContent = waitEstimate(next.estimatedWaitRange ?? null, next.estimatedWaitSeconds)
    replaceChildren(likely, next.soldOutLikely === true ? noticeBox('warning', t('queue.soldOutLikely'), toConcerts()) : null)
    if (position !== lastPosition) {
      sentence.textContent = `${t('queue.announce', { position })} ${t('queue.eta')}: ${eta.textContent}`
      lastPosition = position
    }
  }

  const lapsed = (error: unknown) => {
    if (done || leaving) return
    finish()
    forgetQueueToken(concertId)
    replaceChildren(root, heading, errorBox(error, again(), toConcerts()))
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

  // The stream, while there is news to stream: a SOLD_OUT closes it (the server ends it too), and the place is then
  // kept by polling at the server's pace until seats come back and it opens again.
  let stream: AbortController | null = null
  const disconnect = () => { stream?.abort(); stream = null }
  const connect = () => {
    if (stream || done) return
    const mine = new AbortController()
    stream = mine
    live.signal.addEventListener('abort', () => mine.abort(), { once: true })
    openStream<QueueTicket>(streams.queue, { queueToken: ticket.token }, {
      onMessage: (next) => {
        show(next)
        if (next.status === 'SOLD_OUT') { disconnect(); liveState.dataset.state = 'connecting'; liveState.textContent = t('queue.polling') }
      },
      final: { expired: () => lapsed(new ApiError(410, 'QUEUE_TOKEN_EXPIRED', '', null)) },
      onOpen: () => { liveState.dataset.state = 'live'; liveState.textContent = t('queue.live') },
      onReconnecting: () => { liveState.dataset.state = 'connecting'; liveState.textContent = t('queue.reconnecting') },
      onRefused: () => {
        disconnect()
        liveState.dataset.state = 'connecting'
        liveState.textContent = t('queue.reconnecting')
        void check().then(ok => { if (ok) setTimeout(() => { if (!done && ticket.status !== 'SOLD_OUT') connect() }, 3000) })
      }
    }, mine.signal)
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
      replaceChildren(root, heading, noticeBox('info', t('queue.left'), again(), toConcerts()))
    })
  })

  replaceChildren(root,
    heading,
    h('p', { class: 'subtitle' }, concert ? `${concert.title} · ` : '', formatDate(date)),
    h('div', { class: 'queue-layout' },
      h('section', { class: 'card queue-card', 'aria-labelledby': 'queue-position-label' },
        h('div', { class: 'queue-top' }, liveState),
        stateBox,
        facts,
        likely,
        sentence,
        lead,
        feedback,
        h('div', { class: 'actions' }, leave)
      ),
      drawBox
    )
  )
  show(ticket)
  if (done) return
  if (ticket.status !== 'SOLD_OUT') connect()

  // Polling is the contract's heartbeat (the open stream counts too; this keeps the place when a proxy buffers
  // the stream, or after a SOLD_OUT closed it). The server says how soon to ask again; else every 15 s.
  let pollTimer: ReturnType<typeof setTimeout> | undefined
  const poll = () => {
    if (done || live.signal.aborted) return
    const wait = typeof ticket.refreshAfterMs === 'number' && ticket.refreshAfterMs > 0 ? ticket.refreshAfterMs : HEARTBEAT_MS
    pollTimer = setTimeout(() => {
      void check().finally(() => {
        // Seats came back after a sell-out: follow the place live again.
        if (!done && ticket.status !== 'SOLD_OUT') connect()
        poll()
      })
    }, wait)
  }
  live.signal.addEventListener('abort', () => clearTimeout(pollTimer), { once: true })
  poll()
}
