// The seat map of one show: grades and prices, seat states updating live over SSE, selecting and holding a seat.

import { api, ApiError, seatEventsUrl, serverNow, type QueueTicket, type Reservation, type Seat, type SeatEvent, type SeatStatus } from '../api'
import { concertTitle } from '../catalog'
import { busy, errorBox, h, loading, noticeBox, pageTitle, replaceChildren, retryButton } from '../dom'
import { clock, formatDate, t, won } from '../i18n'
import { navigate, render, type ViewContext } from '../router'
import { forgetQueueToken, queueToken } from '../session'
import { openStream } from '../stream'
import { icon, type IconName } from '../icons'

type Shown = SeatStatus | 'MINE'

const QUEUE_CODES = new Set(['QUEUE_TOKEN_REQUIRED', 'QUEUE_TOKEN_INVALID', 'QUEUE_TOKEN_EXPIRED', 'QUEUE_TOKEN_CONCERT_MISMATCH'])
const STATE_ICONS: Record<Shown, IconName | null> = { AVAILABLE: null, HELD: 'clock', SOLD: 'cross', MINE: 'star' }

function stateIcon (state: Shown, selected = false): SVGSVGElement | null {
  const name = selected ? 'check' : STATE_ICONS[state]
  return name ? icon(name, `icon icon-${name}`) : null
}

/** Grades from the most to the least expensive, each with a palette slot (g0, g1, ...). */
function gradesOf (seats: Seat[]): Array<{ grade: string, price: number, slot: number, count: number }> {
  const byGrade = new Map<string, { grade: string, price: number, count: number }>()
  for (const seat of seats) {
    const entry = byGrade.get(seat.grade)
    if (entry) entry.count++
    else byGrade.set(seat.grade, { grade: seat.grade, price: seat.price, count: 1 })
  }
  return [...byGrade.values()].sort((a, b) => b.price - a.price).map((g, i) => ({ ...g, slot: i % 6 }))
}

export async function seatMapView ({ root, params, signal }: ViewContext): Promise<void> {
  const { concertId, date } = params
  const token = queueToken(concertId)
  const queuePath = `/queue/${encodeURIComponent(concertId)}/${date}`
  if (!token) { navigate(queuePath); return }

  const heading = pageTitle(t('seats.title'))
  replaceChildren(root, heading, loading())
  // Live work (the event stream, the window timer) stops when the view ends or the queue token is no longer good.
  const live = new AbortController()
  signal.addEventListener('abort', () => live.abort(), { once: true })

  const rejoin = () => h('button', { type: 'button', class: 'btn btn-primary', onClick: () => { forgetQueueToken(concertId); navigate(queuePath) } }, t('queue.rejoin'))
  const queueTrouble = (error: unknown): boolean => {
    if (!(error instanceof ApiError)) return false
    if (error.code === 'QUEUE_NOT_ADMITTED') { navigate(queuePath); return true }
    if (!QUEUE_CODES.has(error.code)) return false
    live.abort()
    forgetQueueToken(concertId)
    replaceChildren(root, heading, errorBox(error, rejoin(), h('a', { class: 'btn btn-ghost', href: '#/concerts' }, t('nav.concerts'))))
    return true
  }

  let seats: Seat[]
  let queue: QueueTicket | null
  let mine: Reservation[]
  let title: string | null
  try {
    [{ seats }, queue, mine, title] = await Promise.all([
      api.seats(date, token, signal),
      api.queueStatus(token, signal).catch(() => null),
      api.myReservations(signal).then(r => r.reservations).catch(() => []),
      concertTitle(concertId)
    ])
  } catch (error) {
    if (signal.aborted) return
    if (queueTrouble(error)) return
    replaceChildren(root, heading, errorBox(error, retryButton(render)))
    return
  }
  if (signal.aborted) return

  const grades = gradesOf(seats)
  const slotOf = new Map(grades.map(g => [g.grade, g.slot]))
  const status = new Map<number, SeatStatus>(seats.map(s => [s.seatNo, s.status]))
  const seatByNo = new Map(seats.map(s => [s.seatNo, s]))
  const myHolds = new Map<number, Reservation>()
  for (const r of mine) {
    if (r.status === 'HELD' && r.concertId === concertId && r.date === date && Date.parse(r.heldUntil) > serverNow()) myHolds.set(r.seatNo, r)
  }
  let selected: number | null = null
  const columns = seats.length > 200 ? 20 : 10
  const buttons = new Map<number, HTMLButtonElement>()

  const shownState = (seatNo: number): Shown => {
    const s = status.get(seatNo) ?? 'SOLD'
    return s === 'HELD' && myHolds.has(seatNo) ? 'MINE' : s
  }
  const stateText = (state: Shown | 'SELECTED') => t(`seats.state.${state}` as const)

  // ---- the grid -------------------------------------------------------------------------------------
  const paint = (seatNo: number) => {
    const button = buttons.get(seatNo)
    const seat = seatByNo.get(seatNo)
    if (!button || !seat) return
    const state = shownState(seatNo)
    const isSelected = selected === seatNo
    button.className = `seat g${slotOf.get(seat.grade) ?? 0} seat-${state.toLowerCase()}${isSelected ? ' seat-selected' : ''}`
    button.dataset.status = state
    button.setAttribute('aria-disabled', state === 'AVAILABLE' || state === 'MINE' ? 'false' : 'true')
    button.setAttribute('aria-pressed', isSelected ? 'true' : 'false')
    const stateLabel = isSelected ? `${stateText(state)}, ${stateText('SELECTED')}` : stateText(state)
    button.setAttribute('aria-label', t('seats.label', { no: seatNo, grade: seat.grade, price: won(seat.price), state: stateLabel }))
    const badge = button.querySelector('.seat-icon') as HTMLElement
    const glyph = stateIcon(state, isSelected)
    if (glyph) badge.replaceChildren(glyph)
    else badge.replaceChildren()
  }

  const grid = h('div', {
    class: 'seat-grid',
    role: 'group',
    'aria-label': t('seats.mapLabel', { count: seats.length }),
    'aria-describedby': 'seat-help'
  })
  grid.style.setProperty('--cols', String(columns))
  seats.forEach((seat, index) => {
    const button = h('button', { type: 'button', 'data-seat-no': String(seat.seatNo), tabindex: index === 0 ? '0' : '-1' },
      h('span', { class: 'seat-no', 'aria-hidden': 'true' }, String(seat.seatNo)),
      h('span', { class: 'seat-icon', 'aria-hidden': 'true' })
    )
    button.addEventListener('click', () => { tabStop(seat.seatNo); choose(seat.seatNo) })
    buttons.set(seat.seatNo, button)
    grid.appendChild(button)
    paint(seat.seatNo)
  })
  // Roving tabindex: one Tab stop for the whole map, arrow keys move between seats.
  grid.addEventListener('keydown', (event: KeyboardEvent) => {
    const target = event.target as HTMLElement
    const index = seats.findIndex(s => String(s.seatNo) === target.dataset.seatNo)
    if (index < 0) return
    const rowStart = index - (index % columns)
    const moves: Record<string, number> = {
      ArrowRight: index + 1,
      ArrowLeft: index - 1,
      ArrowDown: index + columns,
      ArrowUp: index - columns,
      Home: rowStart,
      End: Math.min(rowStart + columns - 1, seats.length - 1)
    }
    if (!(event.key in moves)) return
    event.preventDefault()
    const next = moves[event.key]
    if (next < 0 || next >= seats.length) return
    tabStop(seats[next].seatNo)?.focus()
  })
  function tabStop (seatNo: number): HTMLButtonElement | undefined {
    for (const b of buttons.values()) b.tabIndex = -1
    const button = buttons.get(seatNo)
    if (button) button.tabIndex = 0
    return button
  }

  // ---- selection and holding ------------------------------------------------------------------------
  const feedback = h('div', { class: 'feedback', 'data-testid': 'seat-feedback' })
  const selection = h('div', { class: 'selection', 'data-testid': 'selection' })
  const holdButton = h('button', { type: 'button', class: 'btn btn-primary btn-block', disabled: true }, t('seats.holdNone'))

  const showSelection = () => {
    if (selected === null) {
      replaceChildren(selection, h('p', { class: 'muted' }, t('seats.selectPrompt')))
      holdButton.disabled = true
      holdButton.textContent = t('seats.holdNone')
      return
    }
    const seat = seatByNo.get(selected) as Seat
    replaceChildren(selection,
      h('p', { class: 'selection-seat' },
        h('span', { class: `swatch g${slotOf.get(seat.grade) ?? 0}`, 'aria-hidden': 'true' }),
        t('seats.selected', { no: seat.seatNo, grade: seat.grade, price: won(seat.price) })
      )
    )
    holdButton.disabled = false
    holdButton.textContent = t('seats.hold', { no: seat.seatNo })
  }

  const select = (seatNo: number | null) => {
    const previous = selected
    selected = seatNo
    if (previous !== null) paint(previous)
    if (seatNo !== null) paint(seatNo)
    showSelection()
  }

  const choose = (seatNo: number) => {
    const state = shownState(seatNo)
    if (state === 'MINE') { navigate(`/hold/${encodeURIComponent((myHolds.get(seatNo) as Reservation).id)}`); return }
    if (state !== 'AVAILABLE') {
      replaceChildren(feedback, noticeBox('info', t('seats.taken', { no: seatNo })))
      return
    }
    replaceChildren(feedback)
    select(selected === seatNo ? null : seatNo)
  }

  holdButton.addEventListener('click', () => {
    if (selected === null) return
    const seatNo = selected
    void busy(holdButton, t('seats.holding'), async () => {
      try {
        const reservation = await api.hold(date, seatNo, token)
        sessionStorage.setItem(`cr.grade.${reservation.id}`, (seatByNo.get(seatNo) as Seat).grade)
        sessionStorage.setItem(`cr.heldAt.${reservation.id}`, String(serverNow()))
        navigate(`/hold/${encodeURIComponent(reservation.id)}`)
      } catch (error) {
        if (signal.aborted) return
        if (queueTrouble(error)) return
        if (error instanceof ApiError && error.code === 'SEAT_UNAVAILABLE') {
          status.set(seatNo, 'HELD')
          select(null)
        }
        replaceChildren(feedback, errorBox(error,
          error instanceof ApiError && error.code === 'HOLD_LIMIT_REACHED' && h('a', { class: 'btn btn-ghost', href: '#/reservations' }, t('nav.reservations'))))
      }
    }).then(() => showSelection())
  })

  // ---- live updates ---------------------------------------------------------------------------------
  const liveState = h('span', { class: 'live-indicator', 'data-state': 'connecting' }, t('seats.reconnecting'))
  const summary = h('p', { class: 'seat-summary', 'data-testid': 'seat-summary' })
  const showSummary = () => {
    let available = 0; let held = 0; let sold = 0
    for (const s of status.values()) { if (s === 'AVAILABLE') available++; else if (s === 'HELD') held++; else sold++ }
    summary.textContent = t('seats.summary', { available, held, sold })
  }

  const apply = (event: SeatEvent) => {
    if (!status.has(event.seatNo)) return
    status.set(event.seatNo, event.status)
    if (event.status !== 'HELD') {
      myHolds.delete(event.seatNo)
      showMyHolds()
    }
    if (selected === event.seatNo && event.status !== 'AVAILABLE') {
      select(null)
      const message = t('seats.justTaken', { no: event.seatNo })
      replaceChildren(feedback, noticeBox('warning', message))
    }
    paint(event.seatNo)
    showSummary()
  }

  const resync = async () => {
    try {
      const fresh = await api.seats(date, token, signal)
      for (const seat of fresh.seats) apply({ seatNo: seat.seatNo, status: seat.status })
      return true
    } catch (error) {
      if (!signal.aborted) queueTrouble(error)
      return false
    }
  }

  const connect = () => {
    openStream<SeatEvent>(seatEventsUrl(date, token), {
      onMessage: apply,
      onOpen: () => {
        liveState.dataset.state = 'live'
        liveState.textContent = t('seats.live')
        // Changes made while we were disconnected were not streamed: catch up once.
        if (reconnecting) void resync()
        reconnecting = false
      },
      onReconnecting: () => { reconnecting = true; liveState.dataset.state = 'connecting'; liveState.textContent = t('seats.reconnecting') },
      onRefused: () => {
        reconnecting = true
        liveState.dataset.state = 'connecting'
        liveState.textContent = t('seats.reconnecting')
        void resync().then(ok => { if (ok) setTimeout(() => { if (!live.signal.aborted) connect() }, 3000) })
      }
    }, live.signal)
  }
  let reconnecting = false

  // ---- my holds, booking window, leaving ------------------------------------------------------------
  const holdsBox = h('div', { class: 'my-holds' })
  function showMyHolds () {
    if (myHolds.size === 0) { replaceChildren(holdsBox); return }
    replaceChildren(holdsBox,
      h('h2', { class: 'panel-title' }, t('seats.myHolds')),
      h('ul', { class: 'plain-list' }, [...myHolds.values()].map(r =>
        h('li', null, h('a', { class: 'btn btn-ghost btn-block', href: `#/hold/${encodeURIComponent(r.id)}` }, icon('star', 'icon icon-star'), t('seats.continue', { no: r.seatNo })))))
    )
  }

  const windowText = h('p', { class: 'window-timer', 'data-testid': 'window-timer' })
  const activeUntil = queue?.activeUntil ? Date.parse(queue.activeUntil) : null
  const tick = () => {
    if (activeUntil === null) return
    const left = (activeUntil - serverNow()) / 1000
    windowText.textContent = t('seats.window', { time: clock(left) })
    windowText.classList.toggle('urgent', left < 60)
    if (left <= 0) {
      live.abort()
      forgetQueueToken(concertId)
      replaceChildren(root, heading, errorBox(new ApiError(410, 'QUEUE_TOKEN_EXPIRED', '', null), rejoin()))
    }
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

  const legendState = (state: Shown) =>
    h('li', null, h('span', { class: `seat seat-sample seat-${state.toLowerCase()}`, 'aria-hidden': 'true' }, h('span', { class: 'seat-icon' }, stateIcon(state))), stateText(state))

  replaceChildren(root,
    heading,
    h('div', { class: 'seat-header' },
      h('p', { class: 'subtitle' }, title ? `${title} · ` : '', formatDate(date)),
      h('div', { class: 'seat-header-tools' }, windowText, liveState)
    ),
    h('div', { class: 'seat-layout' },
      h('section', { class: 'card seat-map-card', 'aria-labelledby': 'seat-map-title' },
        h('h2', { id: 'seat-map-title', class: 'visually-hidden' }, t('seats.title')),
        h('div', { class: 'stage', 'aria-hidden': 'true' }, t('seats.stage')),
        h('div', { class: 'seat-scroll' }, grid),
        h('p', { id: 'seat-help', class: 'help' }, t('seats.help')),
        summary
      ),
      h('aside', { class: 'seat-side' },
        h('section', { class: 'card' },
          selection,
          feedback,
          holdButton
        ),
        h('section', { class: 'card legend', 'aria-labelledby': 'legend-title' },
          h('h2', { id: 'legend-title', class: 'panel-title' }, t('seats.legend')),
          h('h3', { class: 'legend-sub' }, t('seats.grades')),
          h('ul', { class: 'legend-list' }, grades.map(g =>
            h('li', { 'data-grade': g.grade }, h('span', { class: `swatch g${g.slot}`, 'aria-hidden': 'true' }), h('strong', null, g.grade), ' ', won(g.price)))),
          h('h3', { class: 'legend-sub' }, t('seats.states')),
          h('ul', { class: 'legend-list' }, legendState('AVAILABLE'), legendState('HELD'), legendState('SOLD'), legendState('MINE'))
        ),
        holdsBox,
        leave
      )
    )
  )
  showSelection()
  showSummary()
  showMyHolds()
  tick()
  connect()
}
