// HTTP routes of reservations: hold a seat, read, list, cancel.

import { Type } from 'typebox'
import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../../deps.js'
import { iso } from '../../shared/clock.js'
import { isCalendarDate } from '../../shared/dates.js'
import { NotFoundError, ValidationError } from '../../shared/errors.js'
import { parseId } from '../../shared/ids.js'
import type { Auth } from '../../http/auth.js'
import { principalOf, requireSelf } from '../../http/auth.js'
import { counted, type Metrics } from '../../http/metrics.js'
import { BearerSecurity, CalendarDate, IdString, Instant, QueueSecurity, QueueTokenHeaders, UserId, Won, problems } from '../../http/schemas.js'
import { requireActive } from '../queue/waiting-room.js'
import { cancelHold } from './cancel-hold.js'
import { getReservation, listUserReservations } from './get-reservation.js'
import { holdSeat } from './hold-seat.js'
import type { Reservation } from './reservation.js'

export const ReservationSchema = Type.Object({
  id: IdString,
  userId: Type.String(),
  concertId: IdString,
  date: CalendarDate,
  seatNo: Type.Integer(),
  price: Won,
  status: Type.Union(['HELD', 'CONFIRMED', 'CANCELLED', 'EXPIRED'].map(s => Type.Literal(s))),
  heldUntil: Instant,
  paidAt: Type.Optional(Instant)
})

export function reservationBody (r: Reservation): Record<string, unknown> {
  return {
    id: String(r.id), userId: r.userId, concertId: String(r.concertId), date: r.date, seatNo: r.seatNo, price: r.price,
    status: r.status, heldUntil: iso(r.heldUntil), ...(r.paidAt !== null ? { paidAt: iso(r.paidAt) } : {})
  }
}

/** An id from the path; an id that cannot exist is simply not found. */
export function reservationIdOf (id: string): number {
  const n = parseId(id)
  if (n === null) throw new NotFoundError('RESERVATION_NOT_FOUND', `no reservation ${id}`)
  return n
}

export function registerReservationRoutes (app: FastifyInstance, deps: AppDeps, auth: Auth, metrics: Metrics): void {
  const room = { queue: deps.queue, concerts: deps.concerts, clock: deps.clock, secret: deps.config.jwtSecret }
  const holdDeps = { ...deps, users: deps.stores.points, events: deps.seatEvents, holdTtlMs: deps.config.holdTtlMs, maxHoldsPerUser: deps.config.maxHoldsPerUser }
  const readDeps = { reservations: deps.stores.reservations, clock: deps.clock }
  const idParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 32 }) })

  app.post('/reservations', {
    onRequest: auth.authenticate,
    schema: {
      tags: ['reservations'],
      summary: 'Hold a seat (admitted users)',
      description: 'Holds the seat for HOLD_TTL_SECONDS; nobody else can hold or buy it until it is paid, cancelled or the hold lapses. `concertId`, when given, must be the queue token\'s concert.',
      security: QueueSecurity,
      headers: QueueTokenHeaders,
      body: Type.Object({ date: CalendarDate, seatNo: Type.Integer({ minimum: 1, maximum: 1_000_000 }), concertId: Type.Optional(IdString) }, { additionalProperties: false }),
      response: { 201: ReservationSchema, ...problems(400, 401, 403, 404, 409, 410, 503) }
    }
  }, async (request, reply) => {
    const body = request.body as { date: string, seatNo: number, concertId?: string }
    if (!isCalendarDate(body.date)) throw new ValidationError('not a calendar date', [{ path: 'body/date', message: 'must be a real calendar date YYYY-MM-DD' }])
    const userId = principalOf(request).userId
    const wanted = body.concertId === undefined ? undefined : (parseId(body.concertId) ?? -1)
    const entry = await requireActive(room, request.headers['queue-token'] as string | undefined, userId, wanted)
    const reservation = await counted(metrics.holds, () => holdSeat(holdDeps, { userId, concertId: entry.concertId, date: body.date, seatNo: body.seatNo }))
    return reply.code(201).send(reservationBody(reservation))
  })

  app.get('/reservations/:id', {
    onRequest: auth.authenticate,
    schema: {
      tags: ['reservations'], summary: 'One reservation (owner or admin)', security: BearerSecurity, params: idParams,
      response: { 200: ReservationSchema, ...problems(401, 403, 404) }
    }
  }, async (request) => {
    const p = principalOf(request)
    const r = await getReservation(readDeps, { id: reservationIdOf((request.params as { id: string }).id), userId: p.userId, isAdmin: p.isAdmin })
    return reservationBody(r)
  })

  app.delete('/reservations/:id', {
    onRequest: auth.authenticate,
    schema: {
      tags: ['reservations'],
      summary: 'Cancel a live hold (owner)',
      description: 'The seat is AVAILABLE at once. Only a HELD reservation can be cancelled (409 RESERVATION_NOT_HELD).',
      security: BearerSecurity, params: idParams,
      response: { 200: ReservationSchema, ...problems(401, 403, 404, 409) }
    }
  }, async (request) => {
    const r = await cancelHold({ ...deps, events: deps.seatEvents }, { userId: principalOf(request).userId, reservationId: reservationIdOf((request.params as { id: string }).id) })
    return reservationBody(r)
  })

  app.get('/users/:id/reservations', {
    onRequest: auth.authenticate,
    schema: {
      tags: ['reservations'], summary: 'A user\'s reservations, newest first', security: BearerSecurity,
      params: Type.Object({ id: UserId }),
      response: { 200: Type.Object({ reservations: Type.Array(ReservationSchema) }), ...problems(400, 401, 403) }
    }
  }, async (request) => {
    const { id } = request.params as { id: string }
    requireSelf(request, id)
    return { reservations: (await listUserReservations(readDeps, id)).map(reservationBody) }
  })
}
