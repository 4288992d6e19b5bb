// A small keep-alive JSON client on node:http for preparing data and for the rush driver: round-robin over
// the service instances, a cap on requests in flight, and the latency of each request from send to last byte.

import http from 'node:http'

export interface Reply<T = unknown> { status: number, body: T, ms: number, headers: http.IncomingHttpHeaders }

export interface RequestOptions { headers?: Record<string, string>, body?: unknown, instance?: number }

/** At most `max` holders at once; the others wait in FIFO order. */
export class Limiter {
  private active = 0
  private readonly waiting: Array<() => void> = []
  peak = 0
  readonly max: number
  constructor (max: number) { this.max = max }
  get inFlight (): number { return this.active }
  get queued (): number { return this.waiting.length }
  async run<T> (fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>(resolve => this.waiting.push(resolve))
    else this.active++
    if (this.active > this.peak) this.peak = this.active
    try {
      return await fn()
    } finally {
      const next = this.waiting.shift()
      if (next) next() // the slot passes straight to the next waiter
      else this.active--
    }
  }
}

export class HttpClient {
  private readonly agents: http.Agent[]
  private next = 0
  readonly limiter: Limiter
  readonly ports: number[]
  readonly host: string

  constructor (ports: number[], maxInFlight = 64, host = '127.0.0.1') {
    this.ports = ports
    this.host = host
    this.agents = ports.map(() => new http.Agent({ keepAlive: true, maxSockets: maxInFlight, maxFreeSockets: maxInFlight, scheduling: 'lifo' }))
    this.limiter = new Limiter(maxInFlight)
  }

  /** Sends one request (waiting for a free slot first); network failures come back as status 0. */
  request<T = unknown> (method: string, path: string, options: RequestOptions = {}): Promise<Reply<T>> {
    return this.limiter.run(() => this.send<T>(method, path, options))
  }

  private send<T> (method: string, path: string, options: RequestOptions, retried = false): Promise<Reply<T>> {
    const i = options.instance ?? (this.next++ % this.ports.length)
    const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body))
    const headers: Record<string, string | number> = { ...options.headers }
    if (payload) { headers['content-type'] = 'application/json'; headers['content-length'] = payload.length }
    return new Promise((resolve) => {
      const started = performance.now()
      const req = http.request({ host: this.host, port: this.ports[i], method, path, headers, agent: this.agents[i] }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          const ms = performance.now() - started
          const text = Buffer.concat(chunks).toString('utf8')
          let body: unknown = text
          if (text.length > 0 && /json/.test(String(res.headers['content-type']))) {
            try { body = JSON.parse(text) } catch { /* keep the text */ }
          }
          resolve({ status: res.statusCode ?? 0, body: body as T, ms, headers: res.headers })
        })
        res.on('error', (err: Error) => resolve({ status: 0, body: { code: (err as NodeJS.ErrnoException).code ?? err.message } as T, ms: performance.now() - started, headers: {} }))
      })
      req.setTimeout(30_000, () => req.destroy(new Error('TIMEOUT')))
      req.on('error', (err: Error) => {
        const code = (err as NodeJS.ErrnoException).code ?? err.message
        // The service closed this idle keep-alive socket (KEEP_ALIVE_TIMEOUT_SECONDS) as the request went out on it:
        // it never read the request, so sending it once more on a fresh socket is what Node's docs advise.
        if (req.reusedSocket && code === 'ECONNRESET' && !retried) { resolve(this.send<T>(method, path, { ...options, instance: i }, true)); return }
        resolve({ status: 0, body: { code } as T, ms: performance.now() - started, headers: {} })
      })
      req.end(payload)
    })
  }

  close (): void { for (const a of this.agents) a.destroy() }
}

/** Throws unless the reply has the expected status (for preparation steps, where anything else is a bench bug). */
export function expectStatus<T> (reply: Reply<T>, ok: number | number[], what: string): T {
  const okList = Array.isArray(ok) ? ok : [ok]
  if (!okList.includes(reply.status)) throw new Error(`${what}: HTTP ${reply.status} ${JSON.stringify(reply.body).slice(0, 300)}`)
  return reply.body
}

/** Runs `fn` over `items` with at most `concurrency` at once. */
export async function forEachLimited<T> (items: T[], concurrency: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let i = 0
  const worker = async (): Promise<void> => {
    while (i < items.length) { const k = i++; await fn(items[k], k) }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
}
