// The seat map of one show: the key, seats updating live, picking seats and holding them; the booking window's timer.

import { api, ApiError, serverNow, type QueueTicket, type Reservation, type Seat, type SeatEvent } from '../api'
import { concertTitle } from '../catalog'
import { busy, errorBox, h, loading, noticeBox, pageTitle, replaceChildren } from '../dom'
import { syncHolds, trackHold } from '../holds'
import { icon } from '../icons'
import { clock, formatDate, seatList, t, won } from '../i18n'
import { loadPage } from '../load'
import { navigate, type ViewContext } from '../router'
import { forgetQueueToken, queueToken } from '../session'
import { createBoard, createSelection, type SeatBoard, type Selection } from '../seats/board'
import { createSeatGrid, type SeatGrid } from '../seats/grid'
import { gradesOf, seatLegend } from '../seats/legend'
import { followSeats } from '../seats/live'

/** Seats one hold may take. One until the server takes several seats per hold (`seatNos`); the selection already can. */
const SEATS_PER_HOLD = 1
const QUEUE_CODES = new Set(['QUEUE_TOKEN_REQUIRED', 'QUEUE_TOKEN_INVALID', 'QUEUE_TOKEN_EXPIRED', 'QUEUE_TOKEN_CONCERT_MISMATCH'])
const SEAT_SIZES = [28, 36, 44, 52]
/** 44 px (the smallest comfortable touch target) on a phone, 52 px where there is room; smaller sizes are an overview. */
const defaultSize = () => window.matchMedia('(min-width: 901px)').matches ? 3 : 2

const touchScreen = () => window.matchMedia('(pointer: coarse)').matches

/** The side panel: what is picked, its total, and the button that holds it; or why nothing can be picked. */
function selectionPanel (board: SeatBoard, selection: Selection, slotOf: (grade: string) => number) {
  const element = h('div', { class: 'selection', 'data-testid': 'selection' })
  const button = h('button', { type: 'button', class: 'btn btn-primary btn-block', disabled: true }, t('seats.holdNone'))
  const update = () => {
    const picked = selection.list().map(no => board.seat(no) as Seat)
    const { available } = board.counts()
    button.hidden = picked.length === 0 && available === 0
    button.disabled = picked.length === 0
    if (picked.length === 0) {
      button.textContent = t('seats.holdNone')
      if (available > 0) { replaceChildren(element, h('p', { class: 'muted' }, t('seats.selectPrompt'))); return }
      const { held } = board.counts()
      // Nothing to pick: say why, and whether waiting can help (held seats come back when not paid in time).
      replaceChildren(element, held > 0
        ? noticeBox('info', t('seats.noneFree'))
        : noticeBox('info', t('seats.soldOut'), h('a', { class: 'btn btn-ghost btn-small', href: '#/concerts' }, t('seats.otherDates'))))
      return
    }
    const total = picked.reduce((sum, s) => sum + s.price, 0)
    replaceChildren(element,
      h('ul', { class: 'plain-list selection-list' }, picked.map(seat => h('li', { class: 'selection-seat' },
        h('span', { class: `swatch g${slotOf(seat.grade)}`, 'aria-hidden': 'true' }),
        t('seats.selected', { no: seat.seatNo, grade: seat.grade, price: won(seat.price) })))),
      picked.length > 1 && h('p', { class: 'selection-total' }, t('seats.total', { amount: won(total) })),
      selection.limit > 1 && h('p', { class: 'help' }, t('seats.limit', { count: selection.limit }))
    )
    button.textContent = t('seats.hold', { seats: seatList(picked.map(s => s.seatNo)) })
  }
  return { element, button, update }
}

/** − and + buttons that change the seats' size; the map pans inside its own box, never the page. */
function zoomControls (target: HTMLElement): HTMLElement {
  let size = defaultSize()
  const smaller = h('button', { type: 'button', class: 'btn btn-ghost btn-small zoom', 'aria-label': t('seats.zoomOut') }, '−')
  const larger = h('button', { type: 'button', class: 'btn btn-ghost btn-small zoom', 'aria-label': t('seats.zoomIn') }, '+')
  const apply = () => {
    target.style.setProperty('--seat', `${SEAT_SIZES[size]}px`)
    smaller.disabled = size === 0
    larger.disabled = size === SEAT_SIZES.length - 1
  }
  smaller.addEventListener('click', () => { size = Math.max(0, size - 1); apply() })
  larger.addEventListener('click', () => { size = Math.min(SEAT_SIZES.length - 1, size + 1); apply() })
  apply()
  return h('div', { class: 'zoom-controls', role: 'group', 'aria-label': t('seats.zoom') }, smaller, larger)
}

export async function seatMapView (ctx: ViewContext): Promise<void> {
  const { root, params, signal } = ctx
  const { concertId, date } = params
  const token = queueToken(concertId)
  const queuePath = `/queue/${encodeURIComponent(concertId)}/${date}`
  if (!token) { navigate(queuePath, { replace: true }); return }

  const heading = pageTitle(t('seats.title'))
  replaceChildren(root, heading, loading())
  // Live work (the event stream, the window timer) stops when the view ends or the queue token is no longer good.
  const live = new AbortController()
  signal.addEventListener('abort', () => live.abort(), { once: true })

  const rejoin = () => h('button', { type: 'button', class: 'btn btn-primary', onClick: () => { forgetQueueToken(concertId); navigate(queuePath) } }, t('queue.rejoin'))
  const queueTrouble = (error: unknown): boolean => {
    if (!(error instanceof ApiError)) return false
    if (error.code === 'QUEUE_NOT_ADMITTED') { navigate(queuePath, { replace: true }); return true }
    if (!QUEUE_CODES.has(error.code)) return false
    live.abort()
    forgetQueueToken(concertId)
    replaceChildren(root, heading, errorBox(error, rejoin(), h('a', { class: 'btn btn-ghost', href: '#/concerts' }, t('nav.concerts'))))
    return true
  }

  const loaded = await loadPage(ctx, heading, () => Promise.all([
    api.seats(date, token, signal),
    api.queueStatus(token, signal).catch(() => null as QueueTicket | null),
    api.myReservations(signal).then(r => r.reservations).catch(() => [] as Reservation[]),
    concertTitle(concertId)
  ]), { handle: queueTrouble })
  if (!loaded) return
  const [map, queue, mine, title] = loaded
  if (mine.length > 0) syncHolds(mine)

  const board = createBoard(map.seats, mine, { concertId, date })
  const selection = createSelection(SEATS_PER_HOLD)
  const grades = gradesOf(map.seats)
  const slots = new Map(grades.map(g => [g.grade, g.slot]))
  const slotOf = (grade: string) => slots.get(grade) ?? 0
  const feedback = h('div', { class: 'feedback', 'data-testid': 'seat-feedback' })
  const panel = selectionPanel(board, selection, slotOf)
  const summary = h('p', { class: 'seat-summary', 'data-testid': 'seat-summary' })
  const holdsBox = h('div', { class: 'my-holds' })

  const showSummary = () => {
    summary.textContent = t('seats.summary', board.counts())
    panel.update()
  }
  const showMyHolds = () => {
    const holds = board.holds()
    if (holds.length === 0) { replaceChildren(holdsBox); return }
    replaceChildren(holdsBox,
      h('h2', { class: 'panel-title' }, t('seats.myHolds')),
      h('ul', { class: 'plain-list' }, holds.map(r =>
        h('li', null, h('a', { class: 'btn btn-ghost btn-block', href: `#/hold/${encodeURIComponent(r.id)}` }, icon('star', 'icon icon-star'), t('seats.continue', { seats: seatList(r.seatNos ?? [r.seatNo]) })))))
    )
  }

  // ---- the grid and choosing ------------------------------------------------------------------------
  const grid: SeatGrid = createSeatGrid({ board, selection, slotOf, onChoose: seatNo => choose(seatNo), describedBy: 'seat-help' })
  function choose (seatNo: number): void {
    const state = board.shown(seatNo)
    const hold = board.holdOf(seatNo)
    if (state === 'MINE' && hold) { navigate(`/hold/${encodeURIComponent(hold.id)}`); return }
    if (state === 'OWNED') {
      replaceChildren(feedback, noticeBox('info', t('seats.yours', { no: seatNo }), h('a', { class: 'btn btn-ghost btn-small', href: '#/reservations' }, t('nav.reservations'))))
      return
    }
    if (state !== 'AVAILABLE') { replaceChildren(feedback, noticeBox('info', t('seats.taken', { no: seatNo }))); return }
    const before = selection.list()
    const result = selection.toggle(seatNo)
    if (result === 'full') { replaceChildren(feedback, noticeBox('info', t('seats.limit', { count: selection.limit }))); return }
    replaceChildren(feedback)
    for (const no of new Set([...before, seatNo])) grid.paint(no)
    panel.update()
  }

  panel.button.addEventListener('click', () => {
    const seatNos = selection.list()
    if (seatNos.length === 0) return
    void busy(panel.button, t('seats.holding'), async () => {
      try {
        const reservation = await api.hold(date, seatNos, token)
        trackHold(reservation, serverNow())
        sessionStorage.setItem(`cr.grade.${reservation.id}`, [...new Set(seatNos.map(no => board.seat(no)?.grade))].join(', '))
        navigate(`/hold/${encodeURIComponent(reservation.id)}`)
      } catch (error) {
        if (signal.aborted || queueTrouble(error)) return
        if (error instanceof ApiError && error.code === 'SEAT_UNAVAILABLE') {
          // The problem names the taken seats (`unavailable`); an older server does not, and then it is the one we asked for.
          const named = error.problem.unavailable
          const taken = Array.isArray(named) ? named.filter((no): no is number => typeof no === 'number') : seatNos
          for (const no of taken) { board.set(no, 'HELD'); selection.remove(no); grid.paint(no) }
          showSummary()
        }
        replaceChildren(feedback, errorBox(error,
          error instanceof ApiError && error.code === 'HOLD_LIMIT_REACHED' && h('a', { class: 'btn btn-ghost', href: '#/reservations' }, t('nav.reservations'))))
      }
    }).then(() => panel.update())
  })

  // ---- live updates ---------------------------------------------------------------------------------
  const liveState = h('span', { class: 'live-indicator', 'data-state': 'connecting' }, t('seats.reconnecting'))
  const apply = (event: SeatEvent) => {
    if (!board.set(event.seatNo, event.status)) return
    if (selection.has(event.seatNo) && event.status !== 'AVAILABLE') {
      selection.remove(event.seatNo)
      replaceChildren(feedback, noticeBox('warning', t('seats.justTaken', { no: event.seatNo })))
    }
    grid.paint(event.seatNo)
    showMyHolds()
    showSummary()
  }
  const resync = async () => {
    try {
      const fresh = await api.seats(date, token, signal)
      for (const seat of fresh.seats) apply({ seatNo: seat.seatNo, status: seat.status })
      return fresh.version
    } catch (error) {
      if (!signal.aborted) queueTrouble(error)
      return null
    }
  }
  const connect = () => followSeats({
    date,
    queueToken: token,
    version: map.version,
    apply,
    resync,
    onState: (state) => { liveState.dataset.state = state; liveState.textContent = t(state === 'live' ? 'seats.live' : 'seats.reconnecting') },
    onRefused: (error) => {
      if (queueTrouble(error)) return
      void resync().then(ok => { if (ok !== null) setTimeout(() => { if (!live.signal.aborted) connect() }, 3000) })
    },
    onExpired: () => { queueTrouble(new ApiError(410, 'QUEUE_TOKEN_EXPIRED', '', null)) }
  }, live.signal)

  // ---- booking window and leaving -------------------------------------------------------------------
  const windowText = h('p', { class: 'window-timer', 'data-testid': 'window-timer' })
  const activeUntil = queue?.activeUntil ? Date.parse(queue.activeUntil) : null
  const tick = () => {
    if (activeUntil === null) return
    const left = (activeUntil - serverNow()) / 1000
    windowText.textContent = t('seats.window', { time: clock(left) })
    windowText.classList.toggle('urgent', left < 60)
    if (left <= 0) queueTrouble(new ApiError(410, 'QUEUE_TOKEN_EXPIRED', '', null))
  }
  const timer = setInterval(tick, 1000)
  live.signal.addEventListener('abort', () => clearInterval(timer), { once: true })

  const leave = h('button', {
    type: 'button',
    class: 'btn btn-ghost btn-block',
    onClick: () => {
      void busy(leave, t('seats.release'), async () => {
        try { await api.leaveQueue(token) } catch { /* already gone: leaving is what we wanted */ }
        forgetQueueToken(concertId)
        navigate('/concerts')
      })
    }
  }, t('seats.release'))

  const scroller = h('div', { class: 'seat-scroll', 'data-testid': 'seat-scroll' }, grid.element)
  replaceChildren(root,
    heading,
    h('div', { class: 'seat-header' },
      h('p', { class: 'subtitle' }, title ? `${title} · ` : '', formatDate(date)),
      h('div', { class: 'seat-header-tools' }, windowText, liveState)
    ),
    seatLegend(grades),
    h('div', { class: 'seat-layout' },
      h('section', { class: 'card seat-map-card', 'aria-labelledby': 'seat-map-title' },
        h('div', { class: 'seat-map-top' },
          h('h2', { id: 'seat-map-title', class: 'visually-hidden' }, t('seats.title')),
          h('div', { class: 'stage', 'aria-hidden': 'true' }, t('seats.stage')),
          zoomControls(grid.element)
        ),
        scroller,
        h('p', { id: 'seat-help', class: 'help' }, t(touchScreen() ? 'seats.helpTouch' : 'seats.help')),
        summary
      ),
      // On a phone the selection sticks to the bottom while the map scrolls past (style.css), so it is a child of the layout.
      h('section', { class: 'card selection-card', 'aria-label': t('seats.selection') }, panel.element, feedback, panel.button),
      h('aside', { class: 'seat-side' }, holdsBox, leave)
    )
  )
  showSummary()
  showMyHolds()
  tick()
  connect()
}
