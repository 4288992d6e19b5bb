// The seat map of a show, or of one section of a big one: the key, seats updating live, several seats picked with
// one running total and held as one order, best available, and a refused hold explained on the map itself.

import { api, ApiError, type HoldRequest, type QueueTicket, type Reservation, type Seat, type SeatEvent, type SectionSummary } from '../api'
import { concertOf } from '../catalog'
import { busy, errorBox, h, loading, noticeBox, pageTitle, replaceChildren } from '../dom'
import { syncHolds } from '../holds'
import { formatDate, num, seatLabel, seatList, t, won } from '../i18n'
import { loadPage } from '../load'
import { navigate, type ViewContext } from '../router'
import { bestAvailableBox } from '../seats/best'
import { createBoard, createSelection, type SeatBoard, type Selection } from '../seats/board'
import { createSeatGrid, type Flag, type SeatGrid } from '../seats/grid'
import { gradesOf, seatLegend, type Grade } from '../seats/legend'
import { followSeats } from '../seats/live'
import { zoomControls } from '../seats/zoom'
import {
  SEATS_PER_ORDER, drawLink, gradeChoices, holdsOfShow, leaveButton, limitNotice, liveIndicator, myHoldsBox, placeHold, problemBox, problemSeats,
  sectionPath, seatsOf, showLive, startBooking, windowTimer, type Booking
} from './booking'
import { sectionsScreen } from './sections'

/** A show up to this size is drawn whole; a bigger one starts with its sections, and draws one at a time. */
export const WHOLE_MAP_MAX_SEATS = 500

const touchScreen = () => window.matchMedia('(pointer: coarse)').matches

/** The side panel: what is picked, its total, and the button that holds it; or why nothing can be picked. */
function selectionPanel (board: SeatBoard, selection: Selection, slotOf: (grade: string) => number, heldSeats: () => number[]) {
  const element = h('div', { class: 'selection', 'data-testid': 'selection' })
  const button = h('button', { type: 'button', class: 'btn btn-primary btn-block', disabled: true }, t('seats.holdNone'))
  const update = () => {
    const picked = selection.list().map(no => board.seat(no) as Seat)
    const { available, held } = board.counts()
    const mine = heldSeats()
    button.hidden = picked.length === 0 && available === 0
    button.disabled = picked.length === 0
    const alreadyHeld = mine.length > 0 && h('p', { class: 'help', 'data-testid': 'already-held' },
      t(mine.length >= selection.limit ? 'seats.heldAll' : 'seats.heldSome', { seats: seatList(mine), left: Math.max(0, selection.limit - mine.length) }))
    if (picked.length === 0) {
      button.textContent = t('seats.holdNone')
      if (available > 0) {
        replaceChildren(element, h('p', { class: 'muted' }, t(selection.limit > 1 ? 'seats.selectPromptMany' : 'seats.selectPrompt', { count: selection.limit })), alreadyHeld)
        return
      }
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
      h('p', { class: 'selection-compact' }, seatLabel(picked.map(s => s.seatNo)), ' · ', [...new Set(picked.map(s => s.grade))].join(', ')),
      h('p', { class: 'selection-total', 'data-testid': 'selection-total' },
        t('seats.total', { amount: won(total) }),
        selection.limit > 1 && h('span', { class: 'muted small' }, ` · ${t('seats.picked', { count: picked.length, limit: selection.limit })}`)),
      alreadyHeld
    )
    button.textContent = t('seats.hold', { seats: seatList(picked.map(s => s.seatNo)) })
  }
  return { element, button, update }
}

/** Grades with palette slots in the show's order (from its sections), so a grade keeps its colour in every section. */
function paletteOf (seats: Seat[], sections: SectionSummary[]): Grade[] {
  const grades = gradesOf(seats)
  const order = [...new Set(sections.flatMap(s => s.grades))]
  if (order.length === 0) return grades
  return grades.map(g => ({ ...g, slot: Math.max(0, order.indexOf(g.grade)) % 6 }))
}

/** `#/seats/:concertId/:date`: a small show's whole map, or a big show's sections. */
export async function showView (ctx: ViewContext): Promise<void> {
  const heading = pageTitle(t('seats.title'))
  replaceChildren(ctx.root, heading, loading())
  const booking = startBooking(ctx, heading)
  if (!booking) return
  const list = await loadPage(ctx, heading, () => api.sections(booking.date, booking.token, ctx.signal), { handle: booking.queueTrouble })
  if (!list) return
  const sections = list.value.sections
  const total = sections.reduce((sum, s) => sum + s.totalSeats, 0)
  if (total > WHOLE_MAP_MAX_SEATS && sections.length > 1) { await sectionsScreen(ctx, booking, list.value); return }
  await mapScreen(ctx, booking, heading, null, sections)
}

/** `#/seats/:concertId/:date/:section`: one section's seats. */
export async function sectionView (ctx: ViewContext): Promise<void> {
  const heading = pageTitle(t('seats.title'))
  replaceChildren(ctx.root, heading, loading())
  const booking = startBooking(ctx, heading)
  if (!booking) return
  await mapScreen(ctx, booking, heading, ctx.params.section, null)
}

async function mapScreen (ctx: ViewContext, booking: Booking, heading: HTMLElement, section: string | null, knownSections: SectionSummary[] | null): Promise<void> {
  const { root, signal } = ctx
  const { concertId, date, token, live } = booking
  const overviewPath = `#/seats/${encodeURIComponent(concertId)}/${date}`
  const loaded = await loadPage(ctx, heading, () => Promise.all([
    api.seats(date, token, { section, signal }),
    api.queueStatus(token, signal).catch(() => null as QueueTicket | null),
    api.myReservations(signal).then(r => r.reservations).catch(() => [] as Reservation[]),
    concertOf(concertId),
    knownSections ?? api.sections(date, token, signal).then(r => r.value.sections, () => [] as SectionSummary[])
  ]), { handle: booking.queueTrouble, actions: section ? [h('a', { class: 'btn btn-ghost', href: overviewPath }, t('sections.all'))] : [] })
  if (!loaded) return
  const [{ value: map }, queue, mine, concert, sections] = loaded
  const title = concert?.title ?? null
  if (mine.length > 0) syncHolds(mine)

  const board = createBoard(map.seats, mine, { concertId, date })
  const selection = createSelection(SEATS_PER_ORDER)
  const grades = paletteOf(map.seats, sections)
  const slots = new Map(grades.map(g => [g.grade, g.slot]))
  const slotOf = (grade: string) => slots.get(grade) ?? 0
  const gradeOf = (no: number) => board.seat(no)?.grade
  const flags = new Map<number, Flag>()
  const feedback = h('div', { class: 'feedback', 'data-testid': 'seat-feedback' })
  const heldSeats = () => seatsOf(board.holds())
  const panel = selectionPanel(board, selection, slotOf, heldSeats)
  const summary = h('p', { class: 'seat-summary', 'data-testid': 'seat-summary' })
  const holdsBox = h('div', { class: 'my-holds' })

  const showSummary = () => {
    summary.textContent = t('seats.summary', board.counts())
    panel.update()
  }
  const showMyHolds = () => myHoldsBox(holdsBox, holdsOfShow(board.holds(), { concertId, date }))

  // ---- the grid and choosing ------------------------------------------------------------------------
  const grid: SeatGrid = createSeatGrid({ board, selection, slotOf, onChoose: seatNo => choose(seatNo), describedBy: 'seat-help', flag: no => flags.get(no) })
  const clearFlags = () => {
    const flagged = [...flags.keys()]
    flags.clear()
    for (const no of flagged) grid.paint(no)
  }
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
    clearFlags()
    for (const no of new Set([...before, seatNo])) grid.paint(no)
    panel.update()
  }

  /** A refused hold, explained where the fan looks: the seats it names are marked on the map. */
  const refused = (error: unknown, seatNos: number[]) => {
    if (!(error instanceof ApiError)) { replaceChildren(feedback, errorBox(error)); return }
    if (error.code === 'SEAT_UNAVAILABLE') {
      // The problem names the taken seats (`unavailable`); an older server does not, and then it is the one we asked for.
      const named = problemSeats(error, 'unavailable')
      const taken = named.length > 0 ? named : seatNos.length === 1 ? seatNos : []
      for (const no of taken) { flags.set(no, 'taken'); selection.remove(no); board.set(no, 'HELD'); grid.paint(no) }
      showSummary()
      void resync()
      const message = taken.length === 0 ? null
        : t(taken.length === 1 ? 'hold.err.takenOne' : 'hold.err.takenMany', { no: taken[0], seats: seatList(taken) }) +
          (selection.list().length > 0 ? ` ${t('hold.err.kept')}` : '')
      replaceChildren(feedback, message ? problemBox(error, message) : errorBox(error))
      return
    }
    if (error.code === 'SINGLE_SEAT_GAP') {
      const gaps = problemSeats(error, 'gapSeatNos')
      for (const no of gaps) { flags.set(no, 'gap'); grid.paint(no) }
      const addable = gaps.length > 0 && gaps.every(no => board.shown(no) === 'AVAILABLE') && selection.list().length + gaps.length <= selection.limit
      const add = addable && h('button', {
        type: 'button',
        class: 'btn btn-small',
        onClick: () => {
          for (const no of gaps) if (!selection.has(no)) selection.toggle(no)
          clearFlags()
          for (const no of gaps) grid.paint(no)
          replaceChildren(feedback)
          panel.update()
          panel.button.focus()
        }
      }, t('hold.err.addGap', { seats: seatList(gaps) }))
      replaceChildren(feedback, gaps.length === 0 ? errorBox(error) : problemBox(error, t(gaps.length === 1 ? 'hold.err.gapOne' : 'hold.err.gapMany', { seats: seatList(gaps) }), add))
      return
    }
    if (error.code === 'HOLD_LIMIT_REACHED') { replaceChildren(feedback, limitNotice(error, heldSeats(), seatNos.length)); return }
    if (error.code === 'VALIDATION_FAILED' && seatNos.length > 1) { replaceChildren(feedback, problemBox(error, t('hold.err.tooMany'))); return }
    replaceChildren(feedback, errorBox(error))
  }

  panel.button.addEventListener('click', () => {
    const seatNos = selection.list()
    if (seatNos.length === 0) return
    clearFlags()
    void busy(panel.button, t('seats.holding'), async () => {
      try {
        await placeHold(booking, { seatNos }, gradeOf)
      } catch (error) {
        if (signal.aborted || booking.queueTrouble(error)) return
        refused(error, seatNos)
      }
    }).then(() => panel.update())
  })

  const best = bestAvailableBox({
    sections: sections.map(s => s.section),
    grades: sections.length > 0 ? gradeChoices(sections) : grades.map(g => g.grade),
    section,
    hold: (what: HoldRequest) => placeHold(booking, what, gradeOf),
    explain: (error, what) => {
      if (booking.queueTrouble(error)) return h('span')
      if (!(error instanceof ApiError) || !('quantity' in what)) return null
      if (error.code === 'HOLD_LIMIT_REACHED') return limitNotice(error, heldSeats(), what.quantity)
      if (error.code === 'VALIDATION_FAILED') return problemBox(error, t('hold.err.tooMany'))
      return null
    }
  })

  // ---- live updates ---------------------------------------------------------------------------------
  const liveState = liveIndicator()
  const apply = (event: SeatEvent) => {
    if (!board.set(event.seatNo, event.status)) return
    if (selection.has(event.seatNo) && event.status !== 'AVAILABLE') {
      selection.remove(event.seatNo)
      replaceChildren(feedback, noticeBox('warning', t('seats.justTaken', { no: event.seatNo })))
    }
    if (event.status === 'AVAILABLE' && flags.get(event.seatNo) === 'taken') flags.delete(event.seatNo)
    grid.paint(event.seatNo)
    showMyHolds()
    showSummary()
  }
  async function resync (): Promise<number | undefined | null> {
    try {
      // A 304 gives back the copy read last: applying it again mends any change whose event was lost.
      const fresh = await api.seats(date, token, { section, signal })
      for (const seat of fresh.value.seats) apply({ seatNo: seat.seatNo, status: seat.status })
      return fresh.value.version
    } catch (error) {
      if (!signal.aborted) booking.queueTrouble(error)
      return null
    }
  }
  const connect = () => followSeats({
    date,
    section,
    queueToken: token,
    version: map.version,
    apply,
    resync,
    onState: (state) => showLive(liveState, state),
    onRefused: (error) => {
      if (booking.queueTrouble(error)) return
      void resync().then(ok => { if (ok !== null) setTimeout(() => { if (!live.signal.aborted) connect() }, 3000) })
    },
    onExpired: () => { booking.queueTrouble(new ApiError(410, 'QUEUE_TOKEN_EXPIRED', '', null)) }
  }, live.signal)

  // ---- the screen -----------------------------------------------------------------------------------
  const scroller = h('div', { class: 'seat-scroll', 'data-testid': 'seat-scroll' }, grid.element)
  const zoom = zoomControls(scroller, grid.element, live.signal)
  const switcher = section && sections.length > 1 && sectionSwitcher(concertId, date, section, sections)
  replaceChildren(root,
    heading,
    h('div', { class: 'seat-header' },
      h('p', { class: 'subtitle' }, title ? `${title} · ` : '', formatDate(date), section ? ` · ${t('seats.section', { section })}` : ''),
      h('div', { class: 'seat-header-tools' }, windowTimer(booking, queue), liveState)
    ),
    section && h('nav', { class: 'section-nav', 'aria-label': t('sections.nav') },
      h('a', { class: 'btn btn-ghost btn-small', href: overviewPath, 'data-testid': 'all-sections' }, '← ', t('sections.all')), switcher),
    seatLegend(grades),
    h('div', { class: 'seat-layout' },
      h('section', { class: 'card seat-map-card', 'aria-labelledby': 'seat-map-title' },
        h('div', { class: 'seat-map-top' },
          h('h2', { id: 'seat-map-title', class: 'visually-hidden' }, t('seats.title')),
          h('div', { class: 'stage', 'aria-hidden': 'true' }, t('seats.stage')),
          zoom.element
        ),
        scroller,
        h('p', { id: 'seat-help', class: 'help' }, t(touchScreen() ? 'seats.helpTouch' : 'seats.help')),
        summary
      ),
      // On a phone the selection sticks to the bottom while the map scrolls past (style.css), so it is a child of the layout.
      h('section', { class: 'card selection-card', 'aria-label': t('seats.selection') }, panel.element, feedback, panel.button),
      h('aside', { class: 'seat-side' }, holdsBox, best, drawLink(concert), leaveButton(booking))
    )
  )
  zoom.measure()
  showSummary()
  showMyHolds()
  connect()
}

/** A select that opens another section of the show (each section is its own screen, so Back returns here). */
function sectionSwitcher (concertId: string, date: string, current: string, sections: SectionSummary[]): HTMLElement {
  const select = h('select', { id: 'section-switch', class: 'select' }, sections.map(s =>
    h('option', { value: s.section, selected: s.section === current },
      `${t('seats.section', { section: s.section })} · ${s.availableSeats > 0 ? t('sections.left', { available: num(s.availableSeats) }) : t('sections.soldOut')}`)))
  select.addEventListener('change', () => navigate(sectionPath(concertId, date, select.value)))
  return h('div', { class: 'section-switch' }, h('label', { for: 'section-switch', class: 'visually-hidden' }, t('sections.switch')), select)
}
