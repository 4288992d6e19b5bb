// HTTP routes of reservations: hold seats (one, several, or the best available), read, list, cancel.

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
import type { ReservationView } from './get-reservation.js'

export const ReservedSeatSchema = Type.Object({ seatNo: Type.Integer(), section: Type.String(), row: Type.String(), grade: Type.String(), price: Won })

export const ReservationSchema = Type.Object({
  id: IdString,
  userId: Type.String(),
  concertId: IdString,
  date: CalendarDate,
  seatNo: Type.Integer({ description: 'the first of seatNos' }),
  seatNos: Type.Array(Type.Integer(), { description: 'the order\'s seats, ascending' }),
  seats: Type.Array(ReservedSeatSchema),
  price: Type.Integer({ minimum: 0, description: 'the total of every seat, in won' }),
  status: Type.Union([Type.Literal('HELD'), Type.Literal('CONFIRMED'), Type.Literal('CANCELLED'), Type.Literal('EXPIRED'), Type.Literal('REFUNDED')]),
  heldUntil: Instant,
  paidAt: Type.Optional(Instant),
  refundedAt: Type.Optional(Instant)
})

export function reservationBody (r: ReservationView): Static<typeof ReservationSchema> {
  return {
    id: String(r.id), userId: r.userId, concertId: String(r.concertId), date: r.date, seatNo: r.seatNo, seatNos: r.seatNos,
    seats: r.seats.map(s => ({ seatNo: s.seatNo, section: s.section, row: s.row, grade: s.grade, price: s.price })), price: r.price,
    status: r.status, heldUntil: iso(r.heldUntil), ...(r.paidAt !== null ? { paidAt: iso(r.paidAt) } : {}), ...(r.refundedAt !== null ? { refundedAt: iso(r.refundedAt) } : {})
  }
}

/** The three bodies of a hold, as one schema: which one a request is, the handler decides (exactly one of seatNo, seatNos, quantity). */
const holdBody = (maxSeats: number) => Type.Object({
  date: CalendarDate,
  seatNo: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'one seat' })),
  seatNos: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 1_000_000 }), { minItems: 1, maxItems: maxSeats, uniqueItems: true, description: `1 to ${maxSeats} distinct seats, held all together or not at all` })),
  quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: maxSeats, description: 'best available: this many adjacent seats in one row' })),
  section: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'best available only: within this section' })),
  grade: Type.Optional(Type.String({ minLength: 1, maxLength: 20, description: 'best available only: seats of this grade' })),
  concertId: Type.Optional(IdString)
}, { additionalProperties: false, description: 'exactly one of `seatNo`, `seatNos` or `quantity` (with `section` and `grade` only beside `quantity`)' })

type HoldBody = Static<ReturnType<typeof holdBody>>
type HoldChoice = { kind: 'seat', seatNo: number } | { kind: 'seats', seatNos: number[] } | { kind: 'best', quantity: number, section?: string, grade?: string }

/** Which of the three bodies this is; VALIDATION_FAILED when it is none or several of them. */
function holdChoice (body: HoldBody): HoldChoice {
  const given = (['seatNo', 'seatNos', 'quantity'] as const).filter(k => body[k] !== undefined)
  if (given.length !== 1) {
    throw new ValidationError('give exactly one of seatNo, seatNos or quantity', [{ path: 'body', message: given.length === 0 ? 'needs seatNo, seatNos or quantity' : `${given.join(' and ')} cannot be combined` }])
  }
  if (body.quantity === undefined) {
    const stray = (['section', 'grade'] as const).filter(k => body[k] !== undefined)
    if (stray.length > 0) throw new ValidationError(`${stray.join(' and ')} go with quantity only`, stray.map(k => ({ path: `body/${k}`, message: 'is only accepted with quantity (best available)' })))
  }
  if (body.seatNo !== undefined) return { kind: 'seat', seatNo: body.seatNo }
  if (body.seatNos !== undefined) return { kind: 'seats', seatNos: body.seatNos }
  return { kind: 'best', quantity: body.quantity ?? 0, section: body.section, grade: body.grade }
}

export function registerReservationRoutes (app: App, { config, useCases, auth, metrics }: RouteDeps): void {
  const { queue, reservations } = useCases

  app.post('/reservations', {
    onRequest: auth.authenticate,
    schema: {
      tags: ['reservations'],
      summary: 'Hold seats: one, several, or the best available (admitted users)',
      description: `Takes exactly one of three bodies: \`{ date, seatNo }\`, \`{ date, seatNos }\` (1 to MAX_HOLDS_PER_USER = ${config.maxHoldsPerUser} here distinct seats, all or none) or \`{ date, quantity, section?, grade? }\` (best available: that many adjacent seats in one row, nearest the stage first). Holds them for HOLD_TTL_SECONDS; nobody else can hold or buy them until they are paid, cancelled or the hold lapses. A taken seat → 409 SEAT_UNAVAILABLE with \`unavailable\`, nothing held; past the user's seat limit for the show → 409 HOLD_LIMIT_REACHED; on a show with noSingleSeatGaps, a selection leaving a lone free seat → 409 SINGLE_SEAT_GAP with \`gapSeatNos\`. \`concertId\`, when given, must be the queue token's concert.`,
      security: QueueSecurity,
      headers: QueueTokenHeaders,
      body: holdBody(config.maxHoldsPerUser),
      response: {
        201: ReservationSchema,
        ...problems(400, 401, 403, 'SHOW_NOT_FOUND', 'SEAT_NOT_FOUND', 'SECTION_NOT_FOUND', 'SEAT_UNAVAILABLE', 'HOLD_LIMIT_REACHED', 'SINGLE_SEAT_GAP', 410, 503)
      }
    }
  }, async (request, reply) => {
    const body = request.body
    if (!isCalendarDate(body.date)) throw new ValidationError('not a calendar date', [{ path: 'body/date', message: 'must be a real calendar date YYYY-MM-DD' }])
    const choice = holdChoice(body)
    const userId = principalOf(request).userId
    const wanted = body.concertId === undefined ? undefined : (parseId(body.concertId) ?? -1)
    const entry = await queue.requireActive(request.headers['queue-token'], userId, wanted)
    const order = { userId, concertId: entry.concertId, date: body.date }
    const reservation = await counted(metrics.holds, () => counted(metrics.orders, () => choice.kind === 'seat'
      ? reservations.hold({ ...order, seatNo: choice.seatNo })
      : choice.kind === 'seats'
        ? reservations.holdMany({ ...order, seatNos: choice.seatNos })
        : reservations.holdBest({ ...order, quantity: choice.quantity, section: choice.section, grade: choice.grade }), { kind: choice.kind }))
    metrics.orderSeats.observe(reservation.seatNos.length)
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
      description: 'Every seat of it is AVAILABLE at once. Only a HELD reservation can be cancelled (409 RESERVATION_NOT_HELD).',
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
