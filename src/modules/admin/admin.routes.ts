// HTTP routes for admins: create a concert with shows and seats, read its sales, page through the events out.

import { Type } from 'typebox'
import { iso } from '../../shared/clock.js'
import { NotFoundError, ValidationError } from '../../shared/errors.js'
import { parseId } from '../../shared/ids.js'
import type { App, RouteDeps } from '../../http/route-deps.js'
import { BearerSecurity, CalendarDate, ConcertSchema, IdString, Instant, Won, problems } from '../../http/schemas.js'
import { concertBody } from '../concerts/concerts.routes.js'

/** Rows (seat ranges) per show: a 50,000-seat arena in rows of 10 is 5,000. */
const MAX_ROWS_PER_SHOW = 5000

const SeatRangeSchema = Type.Object({
  from: Type.Integer({ minimum: 1, maximum: 100_000 }),
  to: Type.Integer({ minimum: 1, maximum: 100_000 }),
  grade: Type.String({ minLength: 1, maxLength: 20 }),
  price: Type.Integer({ minimum: 0, maximum: 100_000_000 }),
  section: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'default: the grade' })),
  row: Type.Optional(Type.String({ minLength: 1, maxLength: 20, description: 'default: the range\'s position within its section, from "1"' }))
}, { additionalProperties: false, description: 'one row of seats from..to' })

const EventSchema = Type.Object({
  id: IdString,
  type: Type.String({ description: 'reservation.held, reservation.cancelled, reservation.expired, payment.confirmed, reservation.refunded or points.charged' }),
  occurredAt: Instant,
  data: Type.Object({
    reservationId: Type.Optional(IdString),
    userId: Type.Optional(Type.String()),
    concertId: Type.Optional(IdString),
    date: Type.Optional(CalendarDate),
    seatNos: Type.Optional(Type.Array(Type.Integer())),
    amount: Type.Optional(Won),
    balance: Type.Optional(Won)
  }, { additionalProperties: true })
})

const NewConcertSchema = Type.Object({
  title: Type.String({ minLength: 1, maxLength: 200 }),
  venue: Type.String({ minLength: 1, maxLength: 200 }),
  salesOpenAt: Type.Optional(Instant),
  shows: Type.Array(Type.Object({
    date: CalendarDate,
    startsAt: Instant,
    noSingleSeatGaps: Type.Optional(Type.Boolean()),
    seats: Type.Array(SeatRangeSchema, { minItems: 1, maxItems: MAX_ROWS_PER_SHOW })
  }, { additionalProperties: false }), { minItems: 1, maxItems: 366 })
}, { additionalProperties: false })

export function registerAdminRoutes (app: App, { config, useCases, auth }: RouteDeps): void {
  app.post('/admin/concerts', {
    onRequest: auth.requireAdmin,
    // A whole venue in one body (50,000 seats in 500 rows is about 45 kB); every other route keeps BODY_LIMIT_BYTES.
    bodyLimit: Math.max(config.adminBodyLimitBytes, config.bodyLimitBytes),
    schema: {
      tags: ['admin'],
      summary: 'Create a concert with its shows and seats',
      description: 'Each seat range is one row (`row` defaults to its position within its section, `section` to the grade); sections are ordered by first appearance, ' +
        'nearest the stage first. Seat ranges of a show may not overlap, a row label appears once per section, dates must be real and unique within the concert. ' +
        'This route\'s body limit is ADMIN_BODY_LIMIT_BYTES.',
      security: BearerSecurity,
      body: NewConcertSchema,
      response: {
        201: Type.Object({ ...ConcertSchema.properties, shows: Type.Array(Type.Object({ id: IdString, date: CalendarDate, startsAt: Instant })) }),
        ...problems(400, 401, 403, 413)
      }
    }
  }, async (request, reply) => {
    const body = request.body
    const { concert, shows } = await useCases.concerts.create({
      title: body.title,
      venue: body.venue,
      salesOpenAt: body.salesOpenAt === undefined ? null : Date.parse(body.salesOpenAt),
      shows: body.shows.map(s => ({ ...s, startsAt: Date.parse(s.startsAt) }))
    })
    return reply.code(201).send({ ...concertBody(concert), shows: shows.map(s => ({ id: String(s.id), date: s.date, startsAt: iso(s.startsAt) })) })
  })

  app.get('/admin/concerts/:concertId/sales', {
    onRequest: auth.requireAdmin,
    schema: {
      tags: ['admin'],
      summary: 'Seats sold, held, available, revenue and refunds per date',
      description: 'revenue is net of refunds; refunds counts the refunded orders and refunded their amount.',
      security: BearerSecurity,
      params: Type.Object({ concertId: Type.String({ minLength: 1, maxLength: 32 }) }),
      response: {
        200: Type.Object({
          concertId: IdString,
          dates: Type.Array(Type.Object({
            showId: IdString, date: CalendarDate, startsAt: Instant, totalSeats: Type.Integer(), sold: Type.Integer(), held: Type.Integer(), available: Type.Integer(), revenue: Won, refunds: Type.Integer(), refunded: Won
          })),
          totals: Type.Object({ sold: Type.Integer(), held: Type.Integer(), available: Type.Integer(), revenue: Won, refunds: Type.Integer(), refunded: Won })
        }),
        ...problems(401, 403, 404)
      }
    }
  }, async (request) => {
    const raw = request.params.concertId
    const concertId = parseId(raw)
    if (concertId === null) throw new NotFoundError('CONCERT_NOT_FOUND', `no concert ${raw}`)
    const sales = await useCases.concerts.sales(concertId)
    const sum = (k: 'sold' | 'held' | 'available' | 'revenue' | 'refunds' | 'refunded'): number => sales.reduce((a, s) => a + s[k], 0)
    return {
      concertId: String(concertId),
      dates: sales.map(s => ({ ...s, showId: String(s.showId), startsAt: iso(s.startsAt) })),
      totals: { sold: sum('sold'), held: sum('held'), available: sum('available'), revenue: sum('revenue'), refunds: sum('refunds'), refunded: sum('refunded') }
    }
  })

  app.get('/admin/events', {
    onRequest: auth.requireAdmin,
    schema: {
      tags: ['admin'],
      summary: 'Events out (the outbox), oldest first, paged by id',
      description: 'The same events the relay appends to the EVENTS_STREAM Redis Stream, read from SQL in both modes. '
        + 'nextAfter is the id to pass as after for the next page (the last id returned, or after itself when none was).',
      security: BearerSecurity,
      querystring: Type.Object({
        after: Type.Optional(Type.String({ pattern: '^(0|[1-9][0-9]{0,15})$', description: 'an event id (exclusive); from the start when absent' })),
        limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$', description: '1–1000, default 100' }))
      }, { additionalProperties: false }),
      response: {
        200: Type.Object({ events: Type.Array(EventSchema), nextAfter: Type.Union([IdString, Type.Null()]) }),
        ...problems(400, 401, 403)
      }
    }
  }, async (request) => {
    const q = request.query
    const limit = q.limit === undefined ? 100 : Number(q.limit)
    if (limit < 1 || limit > 1000) throw new ValidationError('limit is out of range', [{ path: 'querystring/limit', message: 'must be from 1 to 1000' }])
    const after = q.after === undefined ? null : Number(q.after)
    return useCases.events.list({ after, limit })
  })
}
