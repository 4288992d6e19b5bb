// HTTP routes of points: charge (idempotent), balance, history.

import { Type } from 'typebox'
import { iso } from '../../shared/clock.js'
import { ValidationError } from '../../shared/errors.js'
import { parseId } from '../../shared/ids.js'
import { requireSelf } from '../../http/auth.js'
import { counted } from '../../http/metrics.js'
import type { App, RouteDeps } from '../../http/route-deps.js'
import { BearerSecurity, IdString, IdempotencyHeaders, Instant, UserId, Won, problems } from '../../http/schemas.js'

const BalanceSchema = Type.Object({ userId: Type.String(), balance: Won })

export function registerPointRoutes (app: App, { config, useCases, auth, metrics }: RouteDeps): void {
  const { points } = useCases
  const userParams = Type.Object({ id: UserId })

  app.post('/users/:id/points/charge', {
    onRequest: auth.authenticate,
    schema: {
      tags: ['points'],
      summary: 'Charge points',
      description: `amount is an integer from 1 to MAX_CHARGE (${config.maxCharge} here); a balance may not exceed MAX_BALANCE (${config.maxBalance} here): 422 CHARGE_LIMIT_EXCEEDED. With an Idempotency-Key, a retry returns the first response and moves no money twice.`,
      security: BearerSecurity,
      params: userParams,
      headers: IdempotencyHeaders,
      body: Type.Object({ amount: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) }, { additionalProperties: false }),
      response: { 200: BalanceSchema, ...problems(400, 401, 403, 422, 503) }
    }
  }, async (request) => {
    const { id } = request.params
    requireSelf(request, id)
    return counted(metrics.charges, () => points.charge({ userId: id, amount: request.body.amount }, request.headers['idempotency-key']))
  })

  app.get('/users/:id/points', {
    onRequest: auth.authenticate,
    schema: { tags: ['points'], summary: 'Balance (0 for a user who never charged)', security: BearerSecurity, params: userParams, response: { 200: BalanceSchema, ...problems(400, 401, 403) } }
  }, async (request) => {
    const { id } = request.params
    requireSelf(request, id)
    return points.balance(id)
  })

  app.get('/users/:id/points/history', {
    onRequest: auth.authenticate,
    schema: {
      tags: ['points'],
      summary: 'Point history, newest first, paged by cursor',
      security: BearerSecurity,
      params: userParams,
      querystring: Type.Object({
        limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$', description: '1–100, default 20' })),
        cursor: Type.Optional(Type.String({ maxLength: 32, description: 'nextCursor of the previous page' }))
      }, { additionalProperties: false }),
      response: {
        200: Type.Object({
          items: Type.Array(Type.Object({
            id: IdString,
            type: Type.Union([Type.Literal('CHARGE'), Type.Literal('USE'), Type.Literal('REFUND')]),
            amount: Won,
            balanceAfter: Won,
            reservationId: Type.Optional(IdString),
            createdAt: Instant
          })),
          nextCursor: Type.Union([Type.String(), Type.Null()])
        }),
        ...problems(400, 401, 403)
      }
    }
  }, async (request) => {
    const { id } = request.params
    requireSelf(request, id)
    const q = request.query
    const limit = q.limit === undefined ? 20 : Number(q.limit)
    if (limit < 1 || limit > 100) throw new ValidationError('limit is out of range', [{ path: 'querystring/limit', message: 'must be from 1 to 100' }])
    const beforeId = q.cursor === undefined ? undefined : parseId(q.cursor)
    if (beforeId === null) throw new ValidationError('cursor is not valid', [{ path: 'querystring/cursor', message: 'use nextCursor from the previous page' }])
    const page = await points.history({ userId: id, limit, beforeId })
    return {
      items: page.items.map(e => ({
        id: String(e.id), type: e.type, amount: e.amount, balanceAfter: e.balanceAfter,
        ...(e.reservationId !== null ? { reservationId: String(e.reservationId) } : {}), createdAt: iso(e.createdAt)
      })),
      nextCursor: page.nextCursor === null ? null : String(page.nextCursor)
    }
  })
}
