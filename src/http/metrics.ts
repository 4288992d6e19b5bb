// Prometheus metrics: request rate/latency per route, holds and orders, payments, refunds, queue length and active count per concert.

import client from 'prom-client'
import type { FastifyInstance } from 'fastify'
import type { QueueStore } from '../modules/queue/queue-store.js'
import type { Clock } from '../shared/clock.js'

export interface Metrics {
  registry: client.Registry
  holds: client.Counter<'result'>
  /** Hold requests by body (`seat`, `seats` or `best` available) and result. */
  orders: client.Counter<'kind' | 'result'>
  /** Seats per order held. */
  orderSeats: client.Histogram
  payments: client.Counter<'result'>
  refunds: client.Counter<'result'>
  charges: client.Counter<'result'>
}

export function createMetrics (queue: QueueStore, clock: Clock): Metrics {
  const registry = new client.Registry()
  client.collectDefaultMetrics({ register: registry })
  const holds = new client.Counter({ name: 'concert_holds_total', help: 'Seat hold attempts by result', labelNames: ['result'] as const, registers: [registry] })
  const orders = new client.Counter({ name: 'concert_orders_total', help: 'Hold requests by kind (seat, seats, best) and result', labelNames: ['kind', 'result'] as const, registers: [registry] })
  const orderSeats = new client.Histogram({ name: 'concert_order_seats', help: 'Seats per order held', buckets: [1, 2, 3, 4, 6, 8, 10], registers: [registry] })
  const payments = new client.Counter({ name: 'concert_payments_total', help: 'Payment attempts by result', labelNames: ['result'] as const, registers: [registry] })
  const refunds = new client.Counter({ name: 'concert_refunds_total', help: 'Refund attempts by result', labelNames: ['result'] as const, registers: [registry] })
  const charges = new client.Counter({ name: 'concert_point_charges_total', help: 'Point charges by result', labelNames: ['result'] as const, registers: [registry] })
  // Both queue gauges read one snapshot per scrape: prom-client starts every collect at once, so the
  // second gauge joins the read the first one started.
  let pending: Promise<Array<{ id: number, waiting: number, active: number }>> | null = null
  const queueStats = (): Promise<Array<{ id: number, waiting: number, active: number }>> => {
    if (pending) return pending
    const now = clock.now()
    const stats = queue.concerts().catch(() => [] as number[]).then(ids => Promise.all(ids.map(async (id) => {
      const s = await queue.stats(id, now).catch(() => null)
      return s ? [{ id, ...s }] : []
    }))).then(rows => rows.flat()).finally(() => { pending = null })
    pending = stats
    return stats
  }
  const queueGauge = (name: string, help: string, pick: (s: { waiting: number, active: number }) => number): void => {
    new client.Gauge({ // registered with the registry; filled by its collect()
      name,
      help,
      labelNames: ['concert_id'] as const,
      registers: [registry],
      async collect () {
        const stats = await queueStats()
        this.reset()
        for (const s of stats) this.set({ concert_id: String(s.id) }, pick(s))
      }
    })
  }
  queueGauge('concert_queue_waiting', 'Users waiting per concert', s => s.waiting)
  queueGauge('concert_queue_active', 'Users admitted (ACTIVE) per concert', s => s.active)
  return { registry, holds, orders, orderSeats, payments, refunds, charges }
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

/** Records the outcome of a use case under a counter: "ok" or the error code (with `labels` besides, if any). */
export async function counted<T, L extends string = 'result'> (counter: client.Counter<L | 'result'>, work: () => Promise<T>, labels: Partial<Record<L, string>> = {}): Promise<T> {
  try {
    const value = await work()
    counter.inc({ ...labels, result: 'ok' } as Partial<Record<L | 'result', string>>)
    return value
  } catch (err) {
    counter.inc({ ...labels, result: (err as { code?: string }).code ?? 'error' } as Partial<Record<L | 'result', string>>)
    throw err
  }
}
