// HTTP route of payment: pay a held seat with points (idempotent).

import { Type } from 'typebox'
import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../../deps.js'
import { iso } from '../../shared/clock.js'
import { ValidationError } from '../../shared/errors.js'
import type { Auth } from '../../http/auth.js'
import { principalOf } from '../../http/auth.js'
import { counted, type Metrics } from '../../http/metrics.js'
import { BearerSecurity, IdString, IdempotencyHeaders, Instant, Won, problems } from '../../http/schemas.js'
import { runIdempotent } from '../idempotency/run-idempotent.js'
import { reservationIdOf } from '../reservations/reservations.routes.js'
import { payReservation, type PaymentResult } from './pay-reservation.js'

const PaymentSchema = Type.Object({
  paymentId: IdString, reservationId: IdString, amount: Won, balance: Won, status: Type.Literal('CONFIRMED'), paidAt: Instant
})

const paymentBody = (p: PaymentResult): Record<string, unknown> => ({
  paymentId: String(p.paymentId), reservationId: String(p.reservationId), amount: p.amount, balance: p.balance, status: p.status, paidAt: iso(p.paidAt)
})

export function registerPaymentRoutes (app: FastifyInstance, deps: AppDeps, auth: Auth, metrics: Metrics): void {
  const payDeps = {
    transact: deps.transact,
    users: deps.stores.points,
    clock: deps.clock,
    events: deps.seatEvents,
    // The user's queue token for that concert lapses once paid (best effort: the payment already stands).
    onPaid: async (r: { concertId: number, userId: string }) => {
      await deps.queue.leaveByUser(r.concertId, r.userId).catch(() => {})
      await deps.queue.admit(r.concertId, deps.clock.now()).catch(() => {}) // the freed slot goes to the next in line now
    }
  }
  const idemDeps = { idempotency: deps.stores.idempotency, transact: deps.transact, clock: deps.clock }

  app.post('/reservations/:id/pay', {
    onRequest: auth.authenticate,
    schema: {
      tags: ['payments'],
      summary: 'Pay a held seat with points (owner)',
      description: 'One atomic step: the hold must be live (409 HOLD_EXPIRED), the balance must cover the price (422 INSUFFICIENT_POINTS, nothing changes); then the points are deducted with a USE history row, a payment row is written, the reservation is CONFIRMED and the seat SOLD. Paying again → 409 ALREADY_PAID. The user\'s queue token for the concert lapses. No request body (an empty JSON object is accepted).',
      security: BearerSecurity,
      params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 32 }) }),
      headers: IdempotencyHeaders,
      response: { 200: PaymentSchema, ...problems(400, 401, 403, 404, 409, 422, 503) }
    }
  }, async (request) => {
    const body = request.body
    if (body !== undefined && body !== null && (typeof body !== 'object' || Array.isArray(body) || Object.keys(body).length > 0)) {
      throw new ValidationError('this request takes no body', [{ path: 'body', message: 'send no body, or {}' }])
    }
    const userId = principalOf(request).userId
    const reservationId = reservationIdOf((request.params as { id: string }).id)
    const key = request.headers['idempotency-key'] as string | undefined
    const result = await counted(metrics.payments, () => key === undefined
      ? payReservation(payDeps, { userId, reservationId })
      : runIdempotent(idemDeps, { scope: `pay:${userId}`, key, request: { reservationId } }, transact => payReservation({ ...payDeps, transact }, { userId, reservationId })))
    return paymentBody(result)
  })
}
