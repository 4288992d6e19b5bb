// HTTP routes of the waiting room: join, read (heartbeat), live events, leave.

import { Type, type Static } from 'typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { iso } from '../../shared/clock.js'
import { NotFoundError } from '../../shared/errors.js'
import { parseId } from '../../shared/ids.js'
import { principalOf } from '../../http/auth.js'
import type { App, RouteDeps } from '../../http/route-deps.js'
import { BearerSecurity, IdString, Instant, QueueTokenHeaders, problems } from '../../http/schemas.js'
import { openSse } from '../../http/sse.js'
import { ticketKey, type QueueHub } from './queue-hub.js'
import type { QueueTicket } from './waiting-room.js'

export const TicketSchema = Type.Object({
  token: Type.String({ description: 'opaque, signed; send it as the Queue-Token header' }),
  tokenId: Type.String({ description: 'the token\'s id: what the opening draw keys' }),
  concertId: IdString,
  status: Type.Union([Type.Literal('PREQUEUE'), Type.Literal('WAITING'), Type.Literal('ACTIVE'), Type.Literal('SOLD_OUT')], {
    description: 'PREQUEUE before salesOpenAt; SOLD_OUT while no seat is left to sell (the place is kept if seats come back)'
  }),
  position: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: '1-based among those still waiting; 0 once ACTIVE; null while PREQUEUE' }),
  estimatedWaitSeconds: Type.Integer({ minimum: 0, description: 'p50 of the measured admissions when known; while PREQUEUE, the time to the opening' }),
  estimatedWaitRange: Type.Union([Type.Object({ p50: Type.Integer({ minimum: 0 }), p90: Type.Integer({ minimum: 0 }) }), Type.Null()], {
    description: 'from the admissions measured over the last 10 minutes; null while nothing was measured'
  }),
  refreshAfterMs: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: 'when to poll next (never more than half the heartbeat timeout while WAITING); null once ACTIVE' }),
  soldOutLikely: Type.Boolean({ description: 'the seats still for sale are fewer than the users ahead times the measured share who buy' }),
  drawKey: Type.Union([Type.String(), Type.Null()], { description: 'this token\'s key in the opening draw, once placed by it' }),
  activeUntil: Type.Union([Instant, Type.Null()], { description: 'set once ACTIVE' })
})

export const ticketBody = (t: QueueTicket): Static<typeof TicketSchema> => ({
  token: t.token,
  tokenId: t.tokenId,
  concertId: String(t.concertId),
  status: t.status,
  position: t.position,
  estimatedWaitSeconds: t.estimatedWaitSeconds,
  estimatedWaitRange: t.estimatedWaitRange,
  refreshAfterMs: t.refreshAfterMs,
  soldOutLikely: t.soldOutLikely,
  drawKey: t.drawKey,
  activeUntil: t.activeUntil === null ? null : iso(t.activeUntil)
})

const DrawSchema = Type.Object({
  drawCommitment: Type.String({ description: 'hex SHA-256 of the 32 seed bytes, public from the start' }),
  seed: Type.Union([Type.String(), Type.Null()], { description: 'the 32 seed bytes as 64 hex digits; null until the draw ran' }),
  drawnAt: Type.Union([Instant, Type.Null()]),
  entries: Type.Union([Type.Array(Type.String()), Type.Null()], { description: 'every pre-queued token\'s draw key, ascending (the draw order)' })
})

/** The queue token from the header, or (event streams only, whose schema declares it: EventSource cannot send headers) the query. */
const tokenOf = (request: { headers: { 'queue-token'?: string }, query: unknown }): string | undefined => {
  const query = request.query
  const fromQuery = typeof query === 'object' && query !== null && 'queue_token' in query && typeof query.queue_token === 'string' ? query.queue_token : undefined
  return request.headers['queue-token'] ?? fromQuery
}

const queueSecurity = [{ queueToken: [] }]

export function registerQueueRoutes (app: App, { useCases, auth }: RouteDeps, hub: QueueHub): void {
  const { queue } = useCases
  // A bearer is optional on token routes; when one is sent it must own the token.
  const optionalBearer = (request: FastifyRequest): string | undefined => request.principal?.userId
  const softAuth = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    request.principal = null
    const query = request.query
    const hasBearer = request.headers.authorization !== undefined || (typeof query === 'object' && query !== null && 'access_token' in query)
    if (hasBearer) await auth.authenticate(request, reply)
  }

  app.post('/queue/tokens', {
    onRequest: auth.authenticate,
    schema: {
      tags: ['queue'],
      summary: 'Take a place in a concert\'s waiting room',
      description: '201 with a new token, or 200 with the same token and place when the user already holds a live one for that concert. PREQUEUE before the concert\'s salesOpenAt; ACTIVE at once when a slot is free and nobody waits ahead (capacity model). 409 SOLD_OUT when no seat is left to sell.',
      security: BearerSecurity,
      body: Type.Object({ concertId: IdString }, { additionalProperties: false }),
      response: { 200: TicketSchema, 201: TicketSchema, ...problems(400, 401, 404, 'SOLD_OUT', 503) }
    }
  }, async (request, reply) => {
    const { concertId } = request.body
    const id = parseId(concertId)
    if (id === null) throw new NotFoundError('CONCERT_NOT_FOUND', `no concert ${concertId}`)
    const { ticket, created } = await queue.join({ userId: principalOf(request).userId, concertId: id })
    return reply.code(created ? 201 : 200).send(ticketBody(ticket))
  })

  app.get('/queue/tokens/current', {
    onRequest: softAuth,
    schema: {
      tags: ['queue'],
      summary: 'The token\'s current place (the waiting client\'s heartbeat)',
      description: 'A WAITING token not polled for longer than QUEUE_HEARTBEAT_TIMEOUT_SECONDS leaves the queue (410 QUEUE_TOKEN_EXPIRED).',
      security: queueSecurity,
      headers: QueueTokenHeaders,
      response: { 200: TicketSchema, ...problems(401, 410, 503) }
    }
  }, async (request) => {
    const token = tokenOf(request)
    return ticketBody(await queue.current(queue.verify(token, optionalBearer(request)), token))
  })

  app.get('/queue/tokens/current/events', {
    config: { queryTokens: true }, // EventSource cannot send headers
    onRequest: softAuth,
    schema: {
      tags: ['queue'],
      summary: 'Live place in the queue (text/event-stream)',
      description: 'A first event at once with the current state, then one whenever position or status changes; an open stream counts as a heartbeat (and as activity of an ACTIVE token). Ends after a SOLD_OUT event, or with an `expired` event when the token lapses. Accepts `?queue_token=`.',
      security: queueSecurity,
      headers: QueueTokenHeaders,
      querystring: Type.Object({ queue_token: Type.Optional(Type.String()), access_token: Type.Optional(Type.String()) }),
      response: { 200: { description: 'text/event-stream of ticket events', type: 'string' }, ...problems(401, 410, 503) }
    }
  }, async (request, reply) => {
    const token = tokenOf(request)
    const claims = queue.verify(token, optionalBearer(request))
    const first = await queue.current(claims, token)
    const stream = openSse(request, reply)
    stream.send(ticketBody(first))
    if (first.status === 'SOLD_OUT') stream.close()
    else hub.watch(claims.concertId, claims.tokenId, ticketKey(first), stream)
  })

  app.delete('/queue/tokens/current', {
    onRequest: softAuth,
    schema: {
      tags: ['queue'],
      summary: 'Leave the queue or give the slot back',
      security: queueSecurity,
      headers: QueueTokenHeaders,
      response: { 204: Type.Null({ description: 'left' }), ...problems(401, 410, 503) }
    }
  }, async (request, reply) => {
    const claims = queue.verify(tokenOf(request), optionalBearer(request))
    await queue.leave(claims)
    return reply.code(204).send(null)
  })

  app.get('/concerts/:concertId/draw', {
    schema: {
      tags: ['queue'],
      summary: 'The opening draw of a concert with salesOpenAt, verifiable by anyone',
      description: 'Before the opening only the commitment (seed, drawnAt and entries are null). Once the draw ran at salesOpenAt: the seed, so anyone can check sha256(seed) = drawCommitment, and every pre-queued token\'s draw key (hex HMAC-SHA256 keyed with the 32 seed bytes over the tokenId\'s UTF-8), ascending. 404 NOT_FOUND for a concert without salesOpenAt.',
      params: Type.Object({ concertId: IdString }),
      response: { 200: DrawSchema, ...problems(404) }
    }
  }, async (request) => {
    const id = parseId(request.params.concertId)
    if (id === null) throw new NotFoundError('CONCERT_NOT_FOUND', `no concert ${request.params.concertId}`)
    const draw = await queue.draw(id)
    return { ...draw, drawnAt: draw.drawnAt === null ? null : iso(draw.drawnAt) }
  })
}
