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
  concertId: IdString,
  status: Type.Union([Type.Literal('WAITING'), Type.Literal('ACTIVE')]),
  position: Type.Integer({ minimum: 0, description: '1-based among those still waiting; 0 once ACTIVE' }),
  estimatedWaitSeconds: Type.Integer({ minimum: 0 }),
  activeUntil: Type.Union([Instant, Type.Null()], { description: 'set once ACTIVE' })
})

export const ticketBody = (t: QueueTicket): Static<typeof TicketSchema> => ({
  token: t.token,
  concertId: String(t.concertId),
  status: t.status,
  position: t.position,
  estimatedWaitSeconds: t.estimatedWaitSeconds,
  activeUntil: t.activeUntil === null ? null : iso(t.activeUntil)
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
      description: '201 with a new token, or 200 with the same token and place when the user already holds a live one for that concert. ACTIVE at once when a slot is free and nobody waits ahead.',
      security: BearerSecurity,
      body: Type.Object({ concertId: IdString }, { additionalProperties: false }),
      response: { 200: TicketSchema, 201: TicketSchema, ...problems(400, 401, 404, 503) }
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
    const claims = queue.verify(tokenOf(request), optionalBearer(request))
    return ticketBody(await queue.current(claims))
  })

  app.get('/queue/tokens/current/events', {
    onRequest: softAuth,
    schema: {
      tags: ['queue'],
      summary: 'Live place in the queue (text/event-stream)',
      description: 'A first event at once with the current state, then one whenever position or status changes; an open stream counts as a heartbeat. Ends with an `expired` event when the token lapses. Accepts `?queue_token=`.',
      security: queueSecurity,
      headers: QueueTokenHeaders,
      querystring: Type.Object({ queue_token: Type.Optional(Type.String()), access_token: Type.Optional(Type.String()) }),
      response: { 200: { description: 'text/event-stream of ticket events', type: 'string' }, ...problems(401, 410, 503) }
    }
  }, async (request, reply) => {
    const claims = queue.verify(tokenOf(request), optionalBearer(request))
    const first = await queue.current(claims)
    const stream = openSse(request, reply)
    stream.send(ticketBody(first))
    hub.watch(claims.concertId, claims.tokenId, ticketKey(first), stream)
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
}
