// HTTP routes of payment: pay a held order with points, and refund a paid one (both idempotent).

import { Type, type Static } from 'typebox'
import { iso } from '../../shared/clock.js'
import { ValidationError } from '../../shared/errors.js'
import { principalOf } from '../../http/auth.js'
import { counted } from '../../http/metrics.js'
import type { App, RouteDeps } from '../../http/route-deps.js'
import { BearerSecurity, IdString, IdempotencyHeaders, Instant, ReservationIdParams, Won, problems, reservationIdOf } from '../../http/schemas.js'
import type { PaymentResult } from './pay-reservation.js'
import type { RefundResult } from './refund-reservation.js'

const PaymentSchema = Type.Object({
  paymentId: IdString, reservationId: IdString, amount: Won, balance: Won, status: Type.Literal('CONFIRMED'), paidAt: Instant
})

const paymentBody = (p: PaymentResult): Static<typeof PaymentSchema> => ({
  paymentId: String(p.paymentId), reservationId: String(p.reservationId), amount: p.amount, balance: p.balance, status: p.status, paidAt: iso(p.paidAt)
})

const RefundSchema = Type.Object({
  reservationId: IdString, amount: Won, balance: Won, status: Type.Literal('REFUNDED'), refundedAt: Instant
})

const refundBody = (r: RefundResult): Static<typeof RefundSchema> => ({
  reservationId: String(r.reservationId), amount: r.amount, balance: r.balance, status: r.status, refundedAt: iso(r.refundedAt)
})

/** These routes take no body: none at all, or an empty JSON object. */
function assertNoBody (body: unknown): void {
  if (body !== undefined && body !== null && (typeof body !== 'object' || Array.isArray(body) || Object.keys(body).length > 0)) {
    throw new ValidationError('this request takes no body', [{ path: 'body', message: 'send no body, or {}' }])
  }
}

export function registerPaymentRoutes (app: App, { config, useCases, auth, metrics }: RouteDeps): void {
  app.post('/reservations/:id/pay', {
    onRequest: auth.authenticate,
    schema: {
      tags: ['payments'],
      summary: 'Pay a held order with points (owner)',
      description: 'One atomic step: the hold must be live (409 HOLD_EXPIRED), the balance must cover the total price (422 INSUFFICIENT_POINTS, nothing changes); then the points are deducted with one USE history row, one payment row is written, the reservation is CONFIRMED and every seat of it SOLD. Paying again → 409 ALREADY_PAID. The user\'s queue token for the concert lapses. No request body (an empty JSON object is accepted).',
      security: BearerSecurity,
      params: ReservationIdParams,
      headers: IdempotencyHeaders,
      response: { 200: PaymentSchema, ...problems(400, 401, 403, 404, 409, 422, 503) }
    }
  }, async (request) => {
    assertNoBody(request.body)
    const userId = principalOf(request).userId
    const reservationId = reservationIdOf(request.params.id)
    const result = await counted(metrics.payments, () => useCases.payments.pay({ userId, reservationId }, request.headers['idempotency-key']))
    return paymentBody(result)
  })

  app.post('/reservations/:id/refund', {
    onRequest: auth.authenticate,
    schema: {
      tags: ['payments'],
      summary: 'Refund a paid order (owner, or admin)',
      description: `One atomic step: the price goes back to the owner's points (a REFUND history row), the payment is marked refunded, the reservation becomes REFUNDED and every seat of it AVAILABLE at once. Only a CONFIRMED reservation (409 RESERVATION_NOT_CONFIRMED; again → 409 ALREADY_REFUNDED), and the owner only until REFUND_CUTOFF_HOURS (${config.refundCutoffMs / 3_600_000} here) before the show starts (409 REFUND_CLOSED); an admin at any time. With an Idempotency-Key, a retry returns the first response. No request body (an empty JSON object is accepted).`,
      security: BearerSecurity,
      params: ReservationIdParams,
      headers: IdempotencyHeaders,
      response: { 200: RefundSchema, ...problems(400, 401, 403, 'RESERVATION_NOT_FOUND', 'RESERVATION_NOT_CONFIRMED', 'ALREADY_REFUNDED', 'REFUND_CLOSED', 'IDEMPOTENCY_IN_PROGRESS', 422, 503) }
    }
  }, async (request) => {
    assertNoBody(request.body)
    const p = principalOf(request)
    const input = { userId: p.userId, isAdmin: p.isAdmin, reservationId: reservationIdOf(request.params.id) }
    return refundBody(await counted(metrics.refunds, () => useCases.payments.refund(input, request.headers['idempotency-key'])))
  })
}
