// Use cases: a show's seat map (whole or one section), its sections summary, and its live changes, from the live seat maps.

import type { Clock } from '../../shared/clock.js'
import { NotFoundError } from '../../shared/errors.js'
import type { SeatStatus, Show } from './concert.js'
import type { ConcertRepository } from './concert-repository.js'
import { requireShow } from './list-seats.js'
import type { LiveSeatMaps } from './live-seat-maps.js'
import type { SeatMapBody } from './seat-map-views.js'
import type { SeatEvents } from '../reservations/seat-events.js'

export interface SeatMapDeps { concerts: ConcertRepository, seatMaps: LiveSeatMaps, clock: Clock }
export interface SeatMapInput { concertId: number, date: string, section?: string }

/** What a live seat map's watcher hears: never who holds the seat. */
export interface SeatMapChange { seatNo: number, section: string, status: SeatStatus, version: number }

const noSuchSection = (input: SeatMapInput): NotFoundError =>
  new NotFoundError('SECTION_NOT_FOUND', `the show on ${input.date} has no section ${JSON.stringify(input.section)}`)

/**
 * The seats of a concert's show on a date, or of one of its sections, ordered by seat number (a lapsed hold
 * AVAILABLE) as a ready JSON body with its version and entity tag: served from memory, built once per change.
 */
export async function readSeatMap (deps: SeatMapDeps, input: SeatMapInput): Promise<SeatMapBody> {
  const show = await requireShow(deps.concerts, input.concertId, input.date)
  const body = (await deps.seatMaps.get(show)).views.seats(deps.clock.now(), input.section)
  if (!body) throw noSuchSection(input)
  return body
}

/** The show's sections (nearest the stage first) with grades, price range and seats available now, as a ready body. */
export async function readSections (deps: SeatMapDeps, input: { concertId: number, date: string }): Promise<SeatMapBody> {
  const show = await requireShow(deps.concerts, input.concertId, input.date)
  return (await deps.seatMaps.get(show)).views.sections(deps.clock.now())
}

/**
 * Checks the show (and section) exist, then calls `listener` for every seat change of it from any instance,
 * one section's only when `section` is given. Resolves to the show and the unsubscribe function.
 */
export async function watchSeatMap (
  deps: { concerts: ConcertRepository, events: SeatEvents }, input: SeatMapInput, listener: (change: SeatMapChange) => void
): Promise<{ show: Show, stop: () => void }> {
  const show = await requireShow(deps.concerts, input.concertId, input.date)
  const layout = await deps.concerts.findLayout(show.id)
  if (!layout) throw new NotFoundError('SHOW_NOT_FOUND', `concert ${input.concertId} has no show on ${input.date}`)
  if (input.section !== undefined && !layout.sections.some(s => s.section === input.section)) throw noSuchSection(input)
  const stop = deps.events.subscribe(show.id, (event) => {
    const section = layout.seat(event.seatNo)?.section
    if (section === undefined || (input.section !== undefined && section !== input.section)) return
    listener({ seatNo: event.seatNo, section, status: event.status, version: event.version })
  })
  return { show, stop }
}
