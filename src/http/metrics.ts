// Prometheus metrics: request rate/latency per route, holds, payments, queue length and active count per concert.

import client from 'prom-client'
import type { FastifyInstance } from 'fastify'
import type { QueueStore } from '../modules/queue/queue-store.js'
import type { Clock } from '../shared/clock.js'

export interface Metrics {
  registry: client.Registry
  holds: client.Counter<'result'>
  payments: client.Counter<'result'>
  charges: client.Counter<'result'>
}

export function createMetrics (queue: QueueStore, clock: Clock): Metrics {
  const registry = new client.Registry()
  client.collectDefaultMetrics({ register: registry })
  const holds = new client.Counter({ name: 'concert_holds_total', help: 'Seat hold attempts by result', labelNames: ['result'] as const, registers: [registry] })
  const payments = new client.Counter({ name: 'concert_payments_total', help: 'Payment attempts by result', labelNames: ['result'] as const, registers: [registry] })
  const charges = new client.Counter({ name: 'concert_point_charges_total', help: 'Point charges by result', labelNames: ['result'] as const, registers: [registry] })
  const waiting = new client.Gauge({ name: 'concert_queue_waiting', help: 'Users waiting per concert', labelNames: ['concert_id'] as const, registers: [registry] })
  new client.Gauge({ // registered with the registry; read only through its collect()
    name: 'concert_queue_active',
    help: 'Users admitted (ACTIVE) per concert',
    labelNames: ['concert_id'] as const,
    registers: [registry],
    async collect () {
      waiting.reset(); this.reset()
      const now = clock.now()
      for (const id of await queue.concerts().catch(() => [] as number[])) {
        const s = await queue.stats(id, now).catch(() => null)
        if (!s) continue
        waiting.set({ concert_id: String(id) }, s.waiting)
        this.set({ concert_id: String(id) }, s.active)
      }
    }
  })
  return { registry, holds, payments, charges }
}

/** Times every request by route pattern (not by raw URL, so ids do not explode the label set). */
export function registerRequestMetrics (app: FastifyInstance, metrics: Metrics): void {
  const duration = new client.Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [metrics.registry]
  })
  app.addHook('onResponse', async (request, reply) => {
    duration.observe({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) }, reply.elapsedTime / 1000)
  })
}

/** Records the outcome of a use case under a counter: "ok" or the error code. */
export async function counted<T> (counter: client.Counter<'result'>, work: () => Promise<T>): Promise<T> {
  try {
    const value = await work()
    counter.inc({ result: 'ok' })
    return value
  } catch (err) {
    counter.inc({ result: (err as { code?: string }).code ?? 'error' })
    throw err
  }
}
