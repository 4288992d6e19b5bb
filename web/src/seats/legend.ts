// The map's key: each grade's colour and price, and how each seat state looks (never colour alone).

import type { Seat } from '../api'
import { h } from '../dom'
import { t, won } from '../i18n'
import type { Shown } from './board'
import { stateIcon, stateText } from './grid'

export interface Grade { grade: string, price: number, slot: number }

/** Grades from the most to the least expensive, each with a palette slot (g0, g1, ...). */
export function gradesOf (seats: Seat[]): Grade[] {
  const byGrade = new Map<string, { grade: string, price: number }>()
  for (const seat of seats) if (!byGrade.has(seat.grade)) byGrade.set(seat.grade, { grade: seat.grade, price: seat.price })
  return [...byGrade.values()].sort((a, b) => b.price - a.price).map((g, i) => ({ ...g, slot: i % 6 }))
}

const STATES: Shown[] = ['AVAILABLE', 'HELD', 'SOLD', 'MINE', 'OWNED']

/** A compact key, shown above the map so it is on screen with the seats, also on a phone. */
export function seatLegend (grades: Grade[]): HTMLElement {
  return h('section', { class: 'legend', 'aria-labelledby': 'legend-title', 'data-testid': 'legend' },
    h('h2', { id: 'legend-title', class: 'visually-hidden' }, t('seats.legend')),
    h('ul', { class: 'legend-list legend-grades', 'aria-label': t('seats.grades') }, grades.map(g =>
      h('li', { 'data-grade': g.grade }, h('span', { class: `swatch g${g.slot}`, 'aria-hidden': 'true' }), h('strong', null, g.grade), ' ', won(g.price)))),
    h('ul', { class: 'legend-list legend-states', 'aria-label': t('seats.states') }, STATES.map(state =>
      h('li', null,
        h('span', { class: `seat seat-sample seat-${state.toLowerCase()}`, 'aria-hidden': 'true' }, h('span', { class: 'seat-icon' }, stateIcon(state))),
        stateText(state))))
  )
}
