// Samples of a concert's ACTIVE count while a rush runs (the "never above QUEUE_MAX_ACTIVE" invariant): the
// service's own gauge on every instance, and in the Redis modes the queue's active set straight from Redis.

import type { Redis } from 'ioredis'
import type { HttpClient } from './http.js'
import { round } from './stats.js'

export interface ActiveSamples { count: number, max: number, mean: number, sources: string[] }

export class ActiveSampler {
  private count = 0
  private sum = 0
  private max = 0
  /** The latest sample, for progress lines. */
  last: number | null = null
  private readonly gauge: RegExp
  private readonly monitor: HttpClient
  private readonly extra: (() => Promise<number>) | undefined

  constructor (monitor: HttpClient, concertId: string, extra?: () => Promise<number>) {
    this.monitor = monitor
    this.extra = extra
    this.gauge = new RegExp(`^concert_queue_active\\{concert_id="${concertId}"\\} (\\d+)`, 'm')
  }

  private add (n: number): void { this.count++; this.sum += n; if (n > this.max) this.max = n; this.last = n }

  /** `GET /metrics` of every instance once (the gauge `concert_queue_active`). */
  async sampleMetrics (): Promise<void> {
    for (let k = 0; k < this.monitor.ports.length; k++) {
      const r = await this.monitor.request<string>('GET', '/metrics', { instance: k })
      const m = typeof r.body === 'string' ? this.gauge.exec(r.body) : null
      this.add(m ? Number(m[1]) : 0)
    }
  }

  /** The extra sampler once (Redis); false when there is none. */
  async sampleExtra (): Promise<boolean> {
    if (!this.extra) return false
    this.add(await this.extra())
    return true
  }

  get hasExtra (): boolean { return this.extra !== undefined }

  summary (): ActiveSamples {
    return { count: this.count, max: this.max, mean: round(this.sum / Math.max(1, this.count), 1), sources: ['GET /metrics concert_queue_active', ...(this.extra ? ['redis ZCOUNT of the active set'] : [])] }
  }
}

/**
 * The queue's ACTIVE count straight from Redis (the store's own definition: activeUntil > now), under the key
 * shape of either queue store: `queue:{c<id>}:active` (hash-tagged) or the older `queue:<id>:active`.
 */
export function redisActiveSampler (redis: Redis, concertId: string): () => Promise<number> {
  return async () => {
    const now = `(${Date.now()}`
    const [a, b] = await Promise.all([redis.zcount(`queue:{c${concertId}}:active`, now, '+inf'), redis.zcount(`queue:${concertId}:active`, now, '+inf')])
    return Math.max(Number(a), Number(b))
  }
}
