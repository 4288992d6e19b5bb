// HTTP routes of concerts: list, bookable dates, a show's seats and their live changes.

import { Type } from 'typebox'
import type { FastifyRequest } from 'fastify'
import { iso } from '../../shared/clock.js'
import { isCalendarDate } from '../../shared/dates.js'
import { ValidationError } from '../../shared/errors.js'
import { principalOf } from '../../http/auth.js'
import type { App, RouteDeps } from '../../http/route-deps.js'
import { CalendarDate, ConcertSchema, IdString, Instant, QueryId, QueueSecurity, QueueTokenHeaders, Won, problems } from '../../http/schemas.js'
import { openSse } from '../../http/sse.js'

/** How often a live seat map checks that its queue token is still ACTIVE. */
const TOKEN_CHECK_MS = 5000

export const SeatStatusSchema = Type.Union([Type.Literal('AVAILABLE'), Type.Literal('HELD'), Type.Literal('SOLD')])

const SeatsQuery = Type.Object({
  concertId: Type.Optional(QueryId),
  access_token: Type.Optional(Type.String()),
  queue_token: Type.Optional(Type.String())
})

const SeatsParams = Type.Object({ date: CalendarDate })

/** The parts of a seats request that name the show and carry the queue token. */
interface SeatsRequest extends Pick<FastifyRequest, 'principal'> {
  params: { date: string }
  query: { concertId?: string, queue_token?: string }
  headers: { 'queue-token'?: string }
}

export function registerConcertRoutes (app: App, { useCases, auth }: RouteDeps): void {
  const { concerts, queue } = useCases

  app.get('/concerts', {
    schema: { tags: ['concerts'], summary: 'All concerts with their show dates', response: { 200: Type.Object({ concerts: Type.Array(ConcertSchema) }) } }
  }, async () => {
    const all = await concerts.list()
    return { concerts: all.map(c => ({ ...c, id: String(c.id) })) }
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
      summary: 'Seats of the queue token\'s concert on a date (admitted users)',
      description: 'Needs the bearer and an ACTIVE Queue-Token. A hold whose time has passed shows as AVAILABLE. `concertId`, when given, must be the token\'s concert.',
      security: QueueSecurity,
      params: SeatsParams,
      querystring: SeatsQuery,
      headers: QueueTokenHeaders,
      response: {
        200: Type.Object({
          concertId: IdString,
          date: CalendarDate,
          seats: Type.Array(Type.Object({ seatNo: Type.Integer(), grade: Type.String(), price: Won, status: SeatStatusSchema }))
        }),
        ...problems(400, 401, 403, 404, 410, 503)
      }
    }
  }, async (request) => {
    const { concertId, date } = await activeShow(request)
    const { seats } = await concerts.listSeats({ concertId, date })
    return { concertId: String(concertId), date, seats }
  })

  app.get('/concerts/:date/seats/events', {
    config: { queryTokens: true }, // EventSource cannot send headers
    onRequest: auth.authenticate,
    schema: {
      tags: ['concerts'],
      summary: 'Live seat changes of a show (text/event-stream)',
      description: 'One event `{ "seatNo", "status" }` each time a seat changes state (held, sold, released, lapsed), from any instance. Accepts `?access_token=` and `?queue_token=` for EventSource. Ends with an `expired` event once the queue token lapses (checked every 5 s).',
      security: QueueSecurity,
      params: SeatsParams,
      querystring: SeatsQuery,
      headers: QueueTokenHeaders,
      response: { 200: { description: 'text/event-stream of `{ seatNo, status }` events', type: 'string' }, ...problems(400, 401, 403, 404, 410) }
    }
  }, async (request, reply) => {
    const { concertId, date, tokenId } = await activeShow(request)
    const { show } = await concerts.listSeats({ concertId, date })
    const stream = openSse(request, reply)
    const unsubscribe = concerts.watchSeats(show.id, change => stream.send({ seatNo: change.seatNo, status: change.status }))
    // The stream is for admitted users: once the queue token lapses (TTL, payment, leaving) it ends.
    const check = setInterval(() => {
      queue.isActive(concertId, tokenId).then((active) => {
        if (active) return
        stream.send({ code: 'QUEUE_TOKEN_EXPIRED', detail: 'the queue token has expired; the seat map is no longer live' }, 'expired')
        stream.close()
      }, () => { /* the queue store is down: keep streaming seat changes, check again later */ })
    }, TOKEN_CHECK_MS)
    check.unref()
    stream.onClose(() => { clearInterval(check); unsubscribe() })
  })
}
