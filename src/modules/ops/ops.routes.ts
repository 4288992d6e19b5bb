// Operations: liveness, readiness (names the store that is down), Prometheus metrics.

import { Type } from 'typebox'
import type { ReadinessCheck } from '../../deps.js'
import { problemOf, sendProblem } from '../../http/problem.js'
import type { App, RouteDeps } from '../../http/route-deps.js'
import { ProblemSchema } from '../../http/schemas.js'

const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> => Promise.race([
  p, new Promise<T>((_resolve, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())
])

export function registerOpsRoutes (app: App, { metrics }: RouteDeps, readiness: ReadinessCheck[]): void {
  app.get('/health', {
    schema: { tags: ['operations'], summary: 'Liveness', response: { 200: Type.Object({ status: Type.Literal('ok') }) } }
  }, async () => ({ status: 'ok' as const }))

  const ReadySchema = Type.Object({
    status: Type.Union([Type.Literal('ready'), Type.Literal('unavailable')]),
    checks: Type.Record(Type.String(), Type.Object({ status: Type.Union([Type.Literal('up'), Type.Literal('down')]), error: Type.Optional(Type.String()) })),
    down: Type.Array(Type.String())
  })
  app.get('/ready', {
    schema: {
      tags: ['operations'],
      summary: 'Readiness: 200 when every backing store answers, else 503 naming the ones down',
      response: { 200: ReadySchema, 503: Type.Intersect([ProblemSchema, Type.Object({ down: Type.Array(Type.String()), checks: Type.Unknown() })]) }
    }
  }, async (request, reply) => {
    const results = await Promise.all(readiness.map(async (c) => {
      try { await withTimeout(c.check(), 1500); return [c.name, { status: 'up' as const }] as const } catch (err) { return [c.name, { status: 'down' as const, error: (err as Error).message }] as const }
    }))
    const down = results.filter(([, r]) => r.status === 'down').map(([name]) => name)
    const checks = Object.fromEntries(results)
    if (down.length > 0) {
      return sendProblem(reply, problemOf('SERVICE_UNAVAILABLE', `not ready: ${down.join(', ')} down`, request.id, { down, checks }), 5)
    }
    return { status: 'ready' as const, checks, down }
  })

  app.get('/metrics', { schema: { tags: ['operations'], summary: 'Prometheus metrics (text format)', hide: false } }, async (_request, reply) => {
    reply.type(metrics.registry.contentType)
    return metrics.registry.metrics()
  })
}
