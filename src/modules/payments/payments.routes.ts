// HTTP route of payment: pay a held seat with points (idempotent).

import { Type, type Static } from 'typebox'
import { iso } from '../../shared/clock.js'
import { ValidationError } from '../../shared/errors.js'
import { principalOf } from '../../http/auth.js'
import { counted } from '../../http/metrics.js'
import type { App, RouteDeps } from '../../http/route-deps.js'
import { BearerSecurity, IdString, IdempotencyHeaders, Instant, ReservationIdParams, Won, problems, reservationIdOf } from '../../http/schemas.js'
import type { PaymentResult } from './pay-reservation.js'

const PaymentSchema = Type.Object({
  paymentId: IdString, reservationId: IdString, amount: Won, balance: Won, status: Type.Literal('CONFIRMED'), paidAt: Instant
})

const paymentBody = (p: PaymentResult): Static<typeof PaymentSchema> => ({
  paymentId: String(p.paymentId), reservationId: String(p.reservationId), amount: p.amount, balance: p.balance, status: p.status, paidAt: iso(p.paidAt)
})

export function registerPaymentRoutes (app: App, { useCases, auth, metrics }: RouteDeps): void {
  app.post('/reservations/:id/pay', {
    onRequest: auth.authenticate,
    schema: {
      tags: ['payments'],
      summary: 'Pay a held seat with points (owner)',
      description: 'One atomic step: the hold must be live (409 HOLD_EXPIRED), the balance must cover the price (422 INSUFFICIENT_POINTS, nothing changes); then the points are deducted with a USE history row, a payment row is written, the reservation is CONFIRMED and the seat SOLD. Paying again → 409 ALREADY_PAID. The user\'s queue token for the concert lapses. No request body (an empty JSON object is accepted).',
      security: BearerSecurity,
      params: ReservationIdParams,
      headers: IdempotencyHeaders,
      response: { 200: PaymentSchema, ...problems(400, 401, 403, 404, 409, 422, 503) }
    }
  }, async (request) => {
    const body = request.body
    if (body !== undefined && body !== null && (typeof body !== 'object' || Array.isArray(body) || Object.keys(body).length > 0)) {
      throw new ValidationError('this request takes no body', [{ path: 'body', message: 'send no body, or {}' }])
    }
    const userId = principalOf(request).userId
    const reservationId = reservationIdOf(request.params.id)
    const result = await counted(metrics.payments, () => useCases.payments.pay({ userId, reservationId }, request.headers['idempotency-key']))
    return paymentBody(result)
  })
}
