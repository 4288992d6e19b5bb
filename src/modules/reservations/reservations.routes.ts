// HTTP routes of reservations: hold a seat, read, list, cancel.

import { Type, type Static } from 'typebox'
import { iso } from '../../shared/clock.js'
import { isCalendarDate } from '../../shared/dates.js'
import { ValidationError } from '../../shared/errors.js'
import { parseId } from '../../shared/ids.js'
import { principalOf, requireSelf } from '../../http/auth.js'
import { counted } from '../../http/metrics.js'
import type { App, RouteDeps } from '../../http/route-deps.js'
import {
  BearerSecurity, CalendarDate, IdString, Instant, QueueSecurity, QueueTokenHeaders, ReservationIdParams, UserId, Won, problems, reservationIdOf
} from '../../http/schemas.js'
import type { Reservation } from './reservation.js'

export const ReservationSchema = Type.Object({
  id: IdString,
  userId: Type.String(),
  concertId: IdString,
  date: CalendarDate,
  seatNo: Type.Integer(),
  price: Won,
  status: Type.Union([Type.Literal('HELD'), Type.Literal('CONFIRMED'), Type.Literal('CANCELLED'), Type.Literal('EXPIRED')]),
  heldUntil: Instant,
  paidAt: Type.Optional(Instant)
})

export function reservationBody (r: Reservation): Static<typeof ReservationSchema> {
  return {
    id: String(r.id), userId: r.userId, concertId: String(r.concertId), date: r.date, seatNo: r.seatNo, price: r.price,
    status: r.status, heldUntil: iso(r.heldUntil), ...(r.paidAt !== null ? { paidAt: iso(r.paidAt) } : {})
  }
}

export function registerReservationRoutes (app: App, { useCases, auth, metrics }: RouteDeps): void {
  const { queue, reservations } = useCases

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
    const body = request.body
    if (!isCalendarDate(body.date)) throw new ValidationError('not a calendar date', [{ path: 'body/date', message: 'must be a real calendar date YYYY-MM-DD' }])
    const userId = principalOf(request).userId
    const wanted = body.concertId === undefined ? undefined : (parseId(body.concertId) ?? -1)
    const entry = await queue.requireActive(request.headers['queue-token'], userId, wanted)
    const reservation = await counted(metrics.holds, () => reservations.hold({ userId, concertId: entry.concertId, date: body.date, seatNo: body.seatNo }))
    return reply.code(201).send(reservationBody(reservation))
  })

  app.get('/reservations/:id', {
    onRequest: auth.authenticate,
    schema: {
      tags: ['reservations'], summary: 'One reservation (owner or admin)', security: BearerSecurity, params: ReservationIdParams,
      response: { 200: ReservationSchema, ...problems(401, 403, 404) }
    }
  }, async (request) => {
    const p = principalOf(request)
    const r = await reservations.get({ id: reservationIdOf(request.params.id), userId: p.userId, isAdmin: p.isAdmin })
    return reservationBody(r)
  })

  app.delete('/reservations/:id', {
    onRequest: auth.authenticate,
    schema: {
      tags: ['reservations'],
      summary: 'Cancel a live hold (owner)',
      description: 'The seat is AVAILABLE at once. Only a HELD reservation can be cancelled (409 RESERVATION_NOT_HELD).',
      security: BearerSecurity, params: ReservationIdParams,
      response: { 200: ReservationSchema, ...problems(401, 403, 404, 409) }
    }
  }, async (request) => {
    const r = await reservations.cancel({ userId: principalOf(request).userId, reservationId: reservationIdOf(request.params.id) })
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
    const { id } = request.params
    requireSelf(request, id)
    return { reservations: (await reservations.listByUser(id)).map(reservationBody) }
  })
}
