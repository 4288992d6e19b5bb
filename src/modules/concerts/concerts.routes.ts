// HTTP routes of concerts: list, bookable dates, a show's seats, its sections and their live changes.

import { Type, type Static } from 'typebox'
import type { FastifyRequest } from 'fastify'
import { iso } from '../../shared/clock.js'
import { isCalendarDate } from '../../shared/dates.js'
import { ValidationError } from '../../shared/errors.js'
import { principalOf } from '../../http/auth.js'
import type { App, RouteDeps } from '../../http/route-deps.js'
import { CalendarDate, ConcertSchema, IdString, Instant, QueryId, QueueSecurity, QueueTokenHeaders, Won, problems } from '../../http/schemas.js'
import { sendTagged } from '../../http/etag.js'
import { openSse } from '../../http/sse.js'
import type { Concert } from './concert.js'

/** How often a live seat map checks that its queue token is still ACTIVE. */
const TOKEN_CHECK_MS = 5000

export const SeatStatusSchema = Type.Union([Type.Literal('AVAILABLE'), Type.Literal('HELD'), Type.Literal('SOLD')])

const Section = Type.String({ minLength: 1, maxLength: 40, description: 'a section name as the admin gave it' })

const SeatsQuery = Type.Object({
  concertId: Type.Optional(QueryId),
  section: Type.Optional(Section),
  access_token: Type.Optional(Type.String()),
  queue_token: Type.Optional(Type.String())
})

const SectionsQuery = Type.Object({
  concertId: Type.Optional(QueryId),
  access_token: Type.Optional(Type.String()),
  queue_token: Type.Optional(Type.String())
})

const Version = Type.Integer({ minimum: 0, description: 'grows with every seat change of the show; the same on every instance' })

const TaggedHeaders = Type.Object({ ...QueueTokenHeaders.properties, 'if-none-match': Type.Optional(Type.String()) })

const notModified = { description: 'Not modified: the If-None-Match tag is current (no body)', type: 'null' } as const

const SeatsParams = Type.Object({ date: CalendarDate })

/** The parts of a seats request that name the show and carry the queue token. */
interface SeatsRequest extends Pick<FastifyRequest, 'principal'> {
  params: { date: string }
  query: { concertId?: string, queue_token?: string, section?: string }
  headers: { 'queue-token'?: string }
}

/** A concert as the API shows it (ids as strings, times as ISO). */
export const concertBody = (c: Concert): Static<typeof ConcertSchema> =>
  ({ id: String(c.id), title: c.title, venue: c.venue, dates: c.dates, salesOpenAt: c.salesOpenAt === null ? null : iso(c.salesOpenAt) })

export function registerConcertRoutes (app: App, { useCases, auth }: RouteDeps): void {
  const { concerts, queue } = useCases

  app.get('/concerts', {
    schema: { tags: ['concerts'], summary: 'All concerts with their show dates', response: { 200: Type.Object({ concerts: Type.Array(ConcertSchema) }) } }
  }, async () => {
    const all = await concerts.list()
    return { concerts: all.map(concertBody) }
  })

  app.get('/concerts/dates', {
    schema: {
      tags: ['concerts'],
      summary: 'Bookable show dates, soonest first',
      description: 'A date is bookable while it is in the future and has an available seat. Sold-out dates are listed (availableSeats 0) only with includeSoldOut=true.',
      querystring: Type.Object({
        concertId: Type.Optional(QueryId),
        includeSoldOut: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')]))
      }, { additionalProperties: false }),
      response: {
        200: Type.Object({
          dates: Type.Array(Type.Object({
            concertId: IdString, concertTitle: Type.String(), date: CalendarDate, startsAt: Instant, totalSeats: Type.Integer(), availableSeats: Type.Integer()
          }))
        }),
        ...problems(400)
      }
    }
  }, async (request) => {
    const q = request.query
    const shows = await concerts.listDates({ concertId: q.concertId ? Number(q.concertId) : undefined, includeSoldOut: q.includeSoldOut === 'true' })
    return {
      dates: shows.map(s => ({
        concertId: String(s.concertId), concertTitle: s.concertTitle, date: s.date, startsAt: iso(s.startsAt), totalSeats: s.totalSeats, availableSeats: s.availableSeats
      }))
    }
  })

  const activeShow = async (request: SeatsRequest): Promise<{ concertId: number, date: string, tokenId: string }> => {
    const { date } = request.params
    if (!isCalendarDate(date)) throw new ValidationError('not a calendar date', [{ path: 'params/date', message: 'must be a real calendar date YYYY-MM-DD' }])
    const q = request.query
    const entry = await queue.requireActive(request.headers['queue-token'] ?? q.queue_token, principalOf(request).userId, q.concertId ? Number(q.concertId) : undefined)
    return { concertId: entry.concertId, date, tokenId: entry.tokenId }
  }

  app.get('/concerts/:date/seats', {
    onRequest: auth.authenticate,
    schema: {
      tags: ['concerts'],
      summary: 'Seats of the queue token\'s concert on a date, or of one section (admitted users)',
      description: 'Needs the bearer and an ACTIVE Queue-Token. Ordered by seat number; a hold whose time has passed shows as AVAILABLE. ' +
        '`concertId`, when given, must be the token\'s concert; `section` keeps one section\'s seats (an unknown one is 404 SECTION_NOT_FOUND). ' +
        'The response has a weak ETag over the seats shown (not over `version`), the same on every instance: `If-None-Match` with it gets 304 and no body.',
      security: QueueSecurity,
      params: SeatsParams,
      querystring: SeatsQuery,
      headers: TaggedHeaders,
      response: {
        200: Type.Object({
          concertId: IdString,
          date: CalendarDate,
          version: Version,
          seats: Type.Array(Type.Object({ seatNo: Type.Integer(), section: Type.String(), row: Type.String(), grade: Type.String(), price: Won, status: SeatStatusSchema }))
        }),
        304: notModified,
        ...problems(400, 401, 403, 404, 410, 503)
      }
    }
  }, async (request, reply) => {
    const { concertId, date } = await activeShow(request)
    return sendTagged(request, reply, await concerts.seatMap({ concertId, date, section: request.query.section }))
  })

  app.get('/concerts/:date/sections', {
    onRequest: auth.authenticate,
    schema: {
      tags: ['concerts'],
      summary: 'Sections of the queue token\'s concert\'s show on a date, nearest the stage first (admitted users)',
      description: 'Each section with its grades, price range, seat count and the seats AVAILABLE now. ETag and 304 as for the seats.',
      security: QueueSecurity,
      params: SeatsParams,
      querystring: SectionsQuery,
      headers: TaggedHeaders,
      response: {
        200: Type.Object({
          concertId: IdString,
          date: CalendarDate,
          version: Version,
          sections: Type.Array(Type.Object({
            section: Type.String(), grades: Type.Array(Type.String()), priceMin: Won, priceMax: Won, totalSeats: Type.Integer(), availableSeats: Type.Integer()
          }))
        }),
        304: notModified,
        ...problems(400, 401, 403, 404, 410, 503)
      }
    }
  }, async (request, reply) => {
    const { concertId, date } = await activeShow(request)
    return sendTagged(request, reply, await concerts.sections({ concertId, date }))
  })

  app.get('/concerts/:date/seats/events', {
    config: { queryTokens: true }, // EventSource cannot send headers
    onRequest: auth.authenticate,
    schema: {
      tags: ['concerts'],
      summary: 'Live seat changes of a show (text/event-stream)',
      description: 'One event `{ "seatNo", "section", "status", "version" }` each time a seat changes state (held, sold, released, lapsed, refunded), from any instance; ' +
        '`section` keeps one section\'s. A client that sees `version` jump by more than one re-reads the map (with `section`, jumps are other sections\' changes). ' +
        'Accepts `?access_token=` and `?queue_token=` for EventSource. Ends with an `expired` event once the queue token lapses (checked every 5 s).',
      security: QueueSecurity,
      params: SeatsParams,
      querystring: SeatsQuery,
      headers: QueueTokenHeaders,
      response: { 200: { description: 'text/event-stream of `{ seatNo, section, status, version }` events', type: 'string' }, ...problems(400, 401, 403, 404, 410) }
    }
  }, async (request, reply) => {
    const { concertId, date, tokenId } = await activeShow(request)
    let send: (change: unknown) => void = () => {}
    const { stop } = await concerts.watchSeats({ concertId, date, section: request.query.section }, (change) => { send(change) })
    const stream = openSse(request, reply)
    send = change => { stream.send(change) }
    // The stream is for admitted users: once the queue token lapses (TTL, payment, leaving) it ends.
    const check = setInterval(() => {
      queue.isActive(concertId, tokenId).then((active) => {
        if (active) return
        stream.send({ code: 'QUEUE_TOKEN_EXPIRED', detail: 'the queue token has expired; the seat map is no longer live' }, 'expired')
        stream.close()
      }, () => { /* the queue store is down: keep streaming seat changes, check again later */ })
    }, TOKEN_CHECK_MS)
    check.unref()
    stream.onClose(() => { clearInterval(check); stop() })
  })
}
