// HTTP routes of points: charge (idempotent), balance, history.

import { Type } from 'typebox'
import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../../deps.js'
import { iso } from '../../shared/clock.js'
import { ValidationError } from '../../shared/errors.js'
import { parseId } from '../../shared/ids.js'
import type { Auth } from '../../http/auth.js'
import { requireSelf } from '../../http/auth.js'
import { counted, type Metrics } from '../../http/metrics.js'
import { BearerSecurity, IdString, IdempotencyHeaders, Instant, UserId, Won, problems } from '../../http/schemas.js'
import { runIdempotent } from '../idempotency/run-idempotent.js'
import { chargePoints, getBalance, getPointHistory } from './charge-points.js'

const BalanceSchema = Type.Object({ userId: Type.String(), balance: Won })

export function registerPointRoutes (app: FastifyInstance, deps: AppDeps, auth: Auth, metrics: Metrics): void {
  const userParams = Type.Object({ id: UserId })
  const chargeDeps = { transact: deps.transact, users: deps.stores.points, clock: deps.clock, maxCharge: deps.config.maxCharge, maxBalance: deps.config.maxBalance }
  const idemDeps = { idempotency: deps.stores.idempotency, transact: deps.transact, clock: deps.clock }

  app.post('/users/:id/points/charge', {
    onRequest: auth.authenticate,
    schema: {
      tags: ['points'],
      summary: 'Charge points',
      description: `amount is an integer from 1 to MAX_CHARGE (${deps.config.maxCharge} here); a balance may not exceed MAX_BALANCE (${deps.config.maxBalance} here): 422 CHARGE_LIMIT_EXCEEDED. With an Idempotency-Key, a retry returns the first response and moves no money twice.`,
      security: BearerSecurity,
      params: userParams,
      headers: IdempotencyHeaders,
      body: Type.Object({ amount: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) }, { additionalProperties: false }),
      response: { 200: BalanceSchema, ...problems(400, 401, 403, 422, 503) }
    }
  }, async (request) => {
    const { id } = request.params as { id: string }
    requireSelf(request, id)
    const { amount } = request.body as { amount: number }
    const key = request.headers['idempotency-key'] as string | undefined
    return counted(metrics.charges, () => key === undefined
      ? chargePoints(chargeDeps, { userId: id, amount })
      : runIdempotent(idemDeps, { scope: `charge:${id}`, key, request: { amount } }, transact => chargePoints({ ...chargeDeps, transact }, { userId: id, amount })))
  })

  app.get('/users/:id/points', {
    onRequest: auth.authenticate,
    schema: { tags: ['points'], summary: 'Balance (0 for a user who never charged)', security: BearerSecurity, params: userParams, response: { 200: BalanceSchema, ...problems(400, 401, 403) } }
  }, async (request) => {
    const { id } = request.params as { id: string }
    requireSelf(request, id)
    return getBalance({ points: deps.stores.points }, id)
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
    const { id } = request.params as { id: string }
    requireSelf(request, id)
    const q = request.query as { limit?: string, cursor?: string }
    const limit = q.limit === undefined ? 20 : Number(q.limit)
    if (limit < 1 || limit > 100) throw new ValidationError('limit is out of range', [{ path: 'querystring/limit', message: 'must be from 1 to 100' }])
    const beforeId = q.cursor === undefined ? undefined : parseId(q.cursor)
    if (beforeId === null) throw new ValidationError('cursor is not valid', [{ path: 'querystring/cursor', message: 'use nextCursor from the previous page' }])
    const page = await getPointHistory({ points: deps.stores.points }, { userId: id, limit, beforeId })
    return {
      items: page.items.map(e => ({
        id: String(e.id), type: e.type, amount: e.amount, balanceAfter: e.balanceAfter,
        ...(e.reservationId !== null ? { reservationId: String(e.reservationId) } : {}), createdAt: iso(e.createdAt)
      })),
      nextCursor: page.nextCursor === null ? null : String(page.nextCursor)
    }
  })
}
