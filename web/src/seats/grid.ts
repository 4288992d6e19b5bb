// The seat buttons row by row (one admin seat range is one row), for a whole show or one section, with arrow-key moves.

import type { Seat } from '../api'
import { h } from '../dom'
import { icon, type IconName } from '../icons'
import { t, won } from '../i18n'
import type { SeatBoard, Selection, Shown } from './board'

export interface SeatRow { section: string | null, row: string | null, seats: Seat[] }

/** Rows in map order; a server that sends no rows gets rows of `width` seats (and no row labels). */
export function rowsOf (seats: Seat[], width = 10): SeatRow[] {
  if (seats.every(s => s.row === undefined)) {
    const rows: SeatRow[] = []
    for (let i = 0; i < seats.length; i += width) rows.push({ section: seats[i].section ?? null, row: null, seats: seats.slice(i, i + width) })
    return rows
  }
  const rows = new Map<string, SeatRow>()
  for (const seat of seats) {
    const key = `${seat.section ?? ''}\u0000${seat.row ?? ''}`
    const found = rows.get(key)
    if (found) found.seats.push(seat)
    else rows.set(key, { section: seat.section ?? null, row: seat.row ?? null, seats: [seat] })
  }
  return [...rows.values()]
}

const STATE_ICONS: Record<Shown, IconName | null> = { AVAILABLE: null, HELD: 'clock', SOLD: 'cross', MINE: 'star', OWNED: 'ticket' }

export function stateIcon (state: Shown, selected = false): SVGSVGElement | null {
  const name = selected ? 'check' : STATE_ICONS[state]
  return name ? icon(name, `icon icon-${name}`) : null
}

export function stateText (state: Shown | 'SELECTED'): string { return t(`seats.state.${state}` as const) }

export interface SeatGrid {
  element: HTMLElement
  paint (seatNo: number): void
}

/** Why a seat is marked after a refused hold: someone took it, or the selection would have left it alone. */
export type Flag = 'taken' | 'gap'

export interface GridOptions {
  board: SeatBoard
  selection: Selection
  slotOf: (grade: string) => number
  onChoose: (seatNo: number) => void
  describedBy: string
  flag?: (seatNo: number) => Flag | undefined
}

/** Builds the map of board's seats: one Tab stop (roving tabindex), arrows move along a row and between rows. */
export function createSeatGrid (options: GridOptions): SeatGrid {
  const { board, selection, slotOf } = options
  const rows = rowsOf(board.seats)
  const where = new Map<number, { row: number, index: number }>()
  const buttons = new Map<number, HTMLButtonElement>()

  const paint = (seatNo: number) => {
    const button = buttons.get(seatNo)
    const seat = board.seat(seatNo)
    if (!button || !seat) return
    const state = board.shown(seatNo)
    const isSelected = selection.has(seatNo)
    const flag = options.flag?.(seatNo)
    button.className = `seat g${slotOf(seat.grade)} seat-${state.toLowerCase()}${isSelected ? ' seat-selected' : ''}${flag ? ` seat-flag-${flag}` : ''}`
    button.dataset.status = state
    if (flag) button.dataset.flag = flag
    else delete button.dataset.flag
    button.setAttribute('aria-disabled', state === 'AVAILABLE' || state === 'MINE' || state === 'OWNED' ? 'false' : 'true')
    button.setAttribute('aria-pressed', isSelected ? 'true' : 'false')
    const stateLabel = [stateText(state), isSelected && stateText('SELECTED'), flag && t(`seats.flag.${flag}` as const)].filter(Boolean).join(', ')
    button.setAttribute('aria-label', t('seats.label', { no: seatNo, grade: seat.grade, price: won(seat.price), state: stateLabel }))
    const badge = button.querySelector('.seat-icon') as HTMLElement
    const glyph = stateIcon(state, isSelected)
    if (glyph) badge.replaceChildren(glyph)
    else badge.replaceChildren()
  }

  const tabStop = (seatNo: number): HTMLButtonElement | undefined => {
    for (const b of buttons.values()) b.tabIndex = -1
    const button = buttons.get(seatNo)
    if (button) button.tabIndex = 0
    return button
  }

  const sections = new Set(rows.map(r => r.section))
  const element = h('div', {
    class: 'seat-grid',
    role: 'group',
    'aria-label': t('seats.mapLabel', { count: board.seats.length }),
    'aria-describedby': options.describedBy
  })
  let lastSection: string | null | undefined
  rows.forEach((row, r) => {
    if (sections.size > 1 && row.section !== lastSection) element.appendChild(h('h3', { class: 'seat-section-title' }, t('seats.section', { section: row.section ?? '' })))
    lastSection = row.section
    const line = h('div', { class: 'seat-row', 'data-row': row.row ?? String(r + 1) },
      row.row !== null && h('span', { class: 'row-label', 'aria-hidden': 'true' }, row.row))
    row.seats.forEach((seat, index) => {
      const button = h('button', { type: 'button', 'data-seat-no': String(seat.seatNo), tabindex: buttons.size === 0 ? '0' : '-1' },
        h('span', { class: 'seat-no', 'aria-hidden': 'true' }, String(seat.seatNo)),
        h('span', { class: 'seat-icon', 'aria-hidden': 'true' })
      )
      button.addEventListener('click', () => { tabStop(seat.seatNo); options.onChoose(seat.seatNo) })
      buttons.set(seat.seatNo, button)
      where.set(seat.seatNo, { row: r, index })
      line.appendChild(button)
      paint(seat.seatNo)
    })
    element.appendChild(line)
  })

  element.addEventListener('keydown', (event: KeyboardEvent) => {
    const at = where.get(Number((event.target as HTMLElement).dataset.seatNo))
    if (!at) return
    const row = rows[at.row].seats
    const nearest = (r: number) => rows[r]?.seats[Math.min(at.index, rows[r].seats.length - 1)]
    const moves: Record<string, Seat | undefined> = {
      ArrowRight: row[at.index + 1] ?? rows[at.row + 1]?.seats[0],
      ArrowLeft: row[at.index - 1] ?? rows[at.row - 1]?.seats.at(-1),
      ArrowDown: nearest(at.row + 1),
      ArrowUp: nearest(at.row - 1),
      Home: row[0],
      End: row.at(-1)
    }
    if (!(event.key in moves)) return
    event.preventDefault()
    const next = moves[event.key]
    if (next) tabStop(next.seatNo)?.focus()
  })

  return { element, paint }
}
