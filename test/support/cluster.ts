// Real service processes on real ports for multi-instance tests: N instances on one MySQL + Redis, a
// throwaway redis-server of our own for fault tests, nginx in front, and a small HTTP/SSE client.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createConnection, type Connection } from 'mysql2/promise'
import { createAuth } from '../../src/http/auth.js'
import { createMysqlDatabase, openTestRedis } from './backends.js'
import { freePort, waitUntil } from './ports.js'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
export const CLUSTER_SECRET = 'cluster-test-secret-that-is-at-least-32-bytes'

/**
 * What a service process runs: `src/main.ts` through tsx by default; TEST_SERVICE_ENTRY points the suite at
 * another entry, e.g. the build (`dist/src/main.js`, run with plain node).
 */
export const SERVICE_ENTRY = process.env.TEST_SERVICE_ENTRY ?? 'src/main.ts'

export { freePort, sleep, waitUntil } from './ports.js'

// ---------------------------------------------------------------------------------------------------------
// HTTP client

/** A response as tests read it: status, headers and the parsed JSON body (or the text). */
export interface Reply {
  status: number
  headers: Headers
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read whatever shape the contract says
  body: any
  text: string
  ms: number
}

export interface CallOptions { headers?: Record<string, string>, body?: unknown, timeoutMs?: number }

/** One HTTP request; network errors (refused, reset, timeout) are thrown. */
export async function call (baseUrl: string, method: string, path: string, options: CallOptions = {}): Promise<Reply> {
  const started = Date.now()
  const headers: Record<string, string> = { ...options.headers }
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(baseUrl + path, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000)
  })
  const text = await res.text()
  let body: unknown = text
  if (/json/.test(res.headers.get('content-type') ?? '') && text !== '') body = JSON.parse(text)
  return { status: res.status, headers: res.headers, body, text, ms: Date.now() - started }
}

const auth = createAuth(CLUSTER_SECRET)

/** Authorization header of a user, signed with the cluster's secret (what an identity provider would do). */
export function bearer (userId: string, role?: 'admin'): Record<string, string> {
  return { authorization: `Bearer ${auth.sign(userId, role).accessToken}` }
}

/** A live text/event-stream: every `data:` event parsed, with a way to wait for one. */
export interface EventStream {
  status: number
  events: Array<{ event: string, data: unknown }>
  /** Resolves with the first event (already received or to come) that `match` accepts. */
  next (match: (e: { event: string, data: unknown }) => boolean, timeoutMs?: number): Promise<{ event: string, data: unknown }>
  close (): void
}

export async function openEventStream (url: string, headers: Record<string, string> = {}): Promise<EventStream> {
  const controller = new AbortController()
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal })
  const events: EventStream['events'] = []
  const waiters = new Set<() => void>()
  if (res.status === 200 && res.body) {
    const reader = res.body.getReader()
    const decoder = new TextDecoder()
    let buffer = ''
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read()
          if (done) break
          buffer += decoder.decode(value, { stream: true })
          let cut: number
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, cut)
            buffer = buffer.slice(cut + 2)
            let event = 'message'
            const data: string[] = []
            for (const line of block.split('\n')) {
              if (line.startsWith('event:')) event = line.slice(6).trim()
              else if (line.startsWith('data:')) data.push(line.slice(5).trimStart())
            }
            if (data.length === 0) continue
            events.push({ event, data: JSON.parse(data.join('\n')) })
            for (const w of [...waiters]) w()
          }
        }
      } catch { /* aborted or the server went away */ }
    })()
  }
  return {
    status: res.status,
    events,
    next (match, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = events.find(match)
          if (!found) return false
          waiters.delete(check)
          clearTimeout(timer)
          resolve(found)
          return true
        }
        const timer = setTimeout(() => {
          waiters.delete(check)
          reject(new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events)}`))
        }, timeoutMs)
        waiters.add(check)
        check()
      })
    },
    close () { controller.abort() }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Service instances

export interface Instance {
  name: string
  port: number
  url: string
  pid: number
  /** Resolves with the exit code (or the signal's name) once the process ended. */
  exited: Promise<number | string>
  /** The last lines the process wrote (stdout and stderr). */
  output (): string
  /** SIGTERM (graceful shutdown); waits for the exit, then SIGKILL after `graceMs`. */
  stop (graceMs?: number): Promise<number | string>
  /** SIGKILL: a crash, nothing cleaned up. */
  kill (): Promise<number | string>
}

/** Variables passed through to the service from the test process (nothing of vitest's own). */
function baseEnv (): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || /^(VITEST|NODE_OPTIONS$|TEST_|DATABASE_URL$|REDIS_URL$|JWT_SECRET$|PORT$|HOST$|SEED_DEMO$|QUEUE_|HOLD_|MAX_|LOG_LEVEL$|AUTH_DEV_LOGIN$|RATE_LIMIT|BODY_LIMIT)/.test(k)) continue
    env[k] = v
  }
  return env
}

/** Starts one service process and waits until GET `waitFor` answers 200 (default /ready). */
export async function startInstance (name: string, env: Record<string, string>, options: { waitFor?: string, timeoutMs?: number } = {}): Promise<Instance> {
  const port = env.PORT ? Number(env.PORT) : await freePort()
  const args = SERVICE_ENTRY.endsWith('.ts') ? ['--import', 'tsx', SERVICE_ENTRY] : [SERVICE_ENTRY]
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...baseEnv(), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const lines: string[] = []
  const keep = (chunk: Buffer): void => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean))
    if (lines.length > 300) lines.splice(0, lines.length - 300)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  let done = false
  const exited = new Promise<number | string>(resolve => child.once('exit', (code, signal) => { done = true; resolve(code ?? signal ?? 'unknown') }))
  const url = `http://127.0.0.1:${port}`
  const output = (): string => lines.join('\n')
  const stop = async (graceMs = 15_000): Promise<number | string> => {
    if (!done) child.kill('SIGTERM')
    const timer = setTimeout(() => { if (!done) child.kill('SIGKILL') }, graceMs)
    const result = await exited
    clearTimeout(timer)
    return result
  }
  const kill = async (): Promise<number | string> => {
    if (!done) child.kill('SIGKILL')
    return exited
  }
  const instance: Instance = { name, port, url, pid: child.pid ?? -1, exited, output, stop, kill }

  const path = options.waitFor ?? '/ready'
  try {
    // A process that exits while starting (bad config, port taken) fails at once, not at the timeout.
    await Promise.race([
      waitUntil(async () => !done && (await call(url, 'GET', path, { timeoutMs: 2000 })).status === 200,
        options.timeoutMs ?? 45_000, () => `instance ${name} did not answer 200 on ${path}`, 150),
      exited.then(() => { throw new Error(`instance ${name} exited while starting`) })
    ])
  } catch (err) {
    await kill()
    throw new Error(`${(err as Error).message} (${done ? `exited: ${String(await exited)}` : 'still running'})\n--- output of ${name} ---\n${output()}`)
  }
  return instance
}

export interface Cluster {
  instances: Instance[]
  databaseUrl: string
  redisUrl: string
  /** Environment every instance got (without PORT). */
  env: Record<string, string>
  /** A root connection to the cluster's database, for checking the books directly. */
  sql (): Promise<Connection>
  /** Starts one more instance on the same database and Redis (SEED_DEMO=false). */
  add (name: string, env?: Record<string, string>): Promise<Instance>
  /** Kills every instance still running, drops the database, closes Redis. */
  close (): Promise<void>
}

export interface ClusterOptions {
  /** How many instances (default 2). */
  size?: number
  /** Settings for every instance (QUEUE_MAX_ACTIVE, HOLD_TTL_SECONDS, ...). */
  env?: Record<string, string>
  /** Redis to use (e.g. a redis-server the test kills); by default see `clusterRedis`. */
  redisUrl?: string
  /** Part of the database name, to tell them apart. */
  label?: string
}

/**
 * Which Redis a cluster gets unless told: `own` (the default) starts a redis-server of its own on a free port;
 * `shared` takes this worker's logical database on the shared server (openTestRedis). The instances' keys
 * (`queue:1:*`, `hold-gate:*`) are the same in every test database, so on a machine where several test runs
 * go on at once, a shared logical database gets flushed and admitted into by someone else's run.
 */
export const clusterRedis = process.env.TEST_CLUSTER_REDIS === 'shared' ? 'shared' : 'own'

async function redisForCluster (): Promise<{ url: string, close: () => Promise<void> }> {
  if (clusterRedis === 'shared') return openTestRedis()
  const own = await startOwnRedis()
  return { url: own.url, close: () => own.kill() }
}

/**
 * A fresh MariaDB/MySQL database, a Redis (see `clusterRedis`, or `redisUrl`), and `size` instances of the
 * service on free ports, started together: app1 with SEED_DEMO=true, the others with SEED_DEMO=false.
 * Resolves once every instance answers GET /ready with 200 (and the demo concert is there).
 */
export async function startCluster (options: ClusterOptions = {}): Promise<Cluster> {
  const database = await createMysqlDatabase(options.label ?? 'multi')
  const redis = options.redisUrl ? null : await redisForCluster()
  const redisUrl = options.redisUrl ?? redis!.url
  const env: Record<string, string> = {
    DATABASE_URL: database.url,
    REDIS_URL: redisUrl,
    JWT_SECRET: CLUSTER_SECRET,
    AUTH_DEV_LOGIN: 'true',
    LOG_LEVEL: 'warn',
    ...options.env
  }
  const instances: Instance[] = []
  const close = async (): Promise<void> => {
    await Promise.all(instances.map(i => i.kill()))
    await database.drop().catch(() => {})
    await redis?.close()
  }
  try {
    // All at once: migrations take a lock (Kysely's migrator), and only app1 loads the demo concert, so
    // nothing races; each instance counts as started once its /ready answers 200.
    const started = await Promise.allSettled(Array.from({ length: options.size ?? 2 }, (_, i) =>
      startInstance(`app${i + 1}`, { ...env, SEED_DEMO: i === 0 ? 'true' : 'false' })))
    for (const r of started) if (r.status === 'fulfilled') instances.push(r.value)
    const failed = started.find(r => r.status === 'rejected')
    if (failed) throw (failed as PromiseRejectedResult).reason
  } catch (err) {
    await close()
    throw err
  }
  return {
    instances,
    databaseUrl: database.url,
    redisUrl,
    env,
    sql: () => createConnection({ uri: database.url, decimalNumbers: true, supportBigNumbers: true }),
    async add (name, extra = {}) {
      const instance = await startInstance(name, { ...env, SEED_DEMO: 'false', ...extra })
      instances.push(instance)
      return instance
    },
    close
  }
}

// ---------------------------------------------------------------------------------------------------------
// A redis-server of our own (fault tests kill and restart it; the shared one on 6379 is never touched)

export interface OwnRedis {
  port: number
  url: string
  /** Starts it (again) on the same port and waits for PONG. */
  start (): Promise<void>
  /** SIGKILL: Redis vanishes mid-traffic, nothing is saved (it keeps no data on disk anyway). */
  kill (): Promise<void>
}

export async function startOwnRedis (): Promise<OwnRedis> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'concert-redis-'))
  let child: ChildProcess | null = null
  const ping = async (): Promise<boolean> => {
    const { Redis } = await import('ioredis')
    const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, enableOfflineQueue: false, connectTimeout: 500 })
    r.on('error', () => {})
    try {
      await r.connect()
      return (await r.ping()) === 'PONG'
    } finally {
      r.disconnect()
    }
  }
  const own: OwnRedis = {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    async start () {
      const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' })
      child = proc
      await waitUntil(ping, 5000, () => `redis-server on port ${port} did not start`, 50)
    },
    async kill () {
      const proc = child
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return
      const gone = new Promise(resolve => proc.once('exit', resolve))
      proc.kill('SIGKILL')
      await gone
      child = null
    }
  }
  await own.start()
  const cleanUp = (): void => { child?.kill('SIGKILL'); rmSync(dir, { recursive: true, force: true }) }
  process.once('exit', cleanUp)
  return own
}

// ---------------------------------------------------------------------------------------------------------
// nginx in front (deploy/nginx.local.conf with the ports replaced)

/** The nginx binary, or null when it is not installed (tests that need it are skipped then). */
export function findNginx (): string | null {
  for (const candidate of [process.env.NGINX_BIN, 'nginx', '/usr/sbin/nginx', '/usr/local/sbin/nginx'].filter(Boolean) as string[]) {
    if (candidate.includes('/') && !existsSync(candidate)) continue
    if (spawnSync(candidate, ['-v'], { stdio: 'ignore' }).status === 0) return candidate
  }
  return null
}

export interface Nginx { url: string, port: number, prefix: string, config: string, stop (): Promise<void> }

/** `deploy/nginx.local.conf` with its two upstream servers swapped for `upstreams` and a free listen port. */
export function renderLocalNginxConfig (upstreams: number[], listenPort: number): string {
  const source = readFileSync(join(ROOT, 'deploy/nginx.local.conf'), 'utf8')
  const servers = upstreams.map(p => `    server 127.0.0.1:${p} max_fails=3 fail_timeout=10s;`).join('\n')
  const rendered = source
    .replace(/^ {4}server 127\.0\.0\.1:3001 .*\n {4}server 127\.0\.0\.1:3002 .*$/m, servers)
    .replace('listen 127.0.0.1:8080;', `listen 127.0.0.1:${listenPort};`)
  if (rendered === source || !rendered.includes(`127.0.0.1:${listenPort}`) || !rendered.includes(`127.0.0.1:${upstreams[0]}`)) {
    throw new Error('deploy/nginx.local.conf no longer has the upstream servers 127.0.0.1:3001/3002 and listen 127.0.0.1:8080 this helper replaces')
  }
  return rendered
}

/** Runs `nginx -t` on a config file with its own prefix directory; returns the exit code and output. */
export function testNginxConfig (nginx: string, prefix: string, config: string): { status: number | null, output: string } {
  mkdirSync(join(prefix, 'logs'), { recursive: true })
  const r = spawnSync(nginx, ['-t', '-p', prefix, '-c', config, '-e', 'stderr'], { encoding: 'utf8' })
  return { status: r.status, output: `${r.stdout}${r.stderr}` }
}

/** Starts nginx in the foreground in front of `upstreams`; null when nginx is not installed. */
export async function startNginx (upstreams: number[]): Promise<Nginx | null> {
  const bin = findNginx()
  if (!bin) return null
  const port = await freePort()
  const prefix = mkdtempSync(join(tmpdir(), 'concert-nginx-'))
  mkdirSync(join(prefix, 'logs'))
  const config = join(prefix, 'nginx.conf')
  writeFileSync(config, renderLocalNginxConfig(upstreams, port))
  const checked = testNginxConfig(bin, prefix, config)
  if (checked.status !== 0) throw new Error(`nginx -t failed:\n${checked.output}`)
  const child = spawn(bin, ['-p', prefix, '-c', config, '-e', 'stderr', '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] })
  let errors = ''
  child.stderr?.on('data', (c: Buffer) => { errors += c.toString('utf8') })
  const exited = new Promise(resolve => child.once('exit', resolve))
  const url = `http://127.0.0.1:${port}`
  await waitUntil(async () => (await call(url, 'GET', '/nginx-health', { timeoutMs: 1000 })).status === 200, 5000, () => `nginx did not start: ${errors}`, 50)
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGQUIT')
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000)
    await exited
    clearTimeout(timer)
    rmSync(prefix, { recursive: true, force: true })
  }
  process.once('exit', () => child.kill('SIGKILL'))
  return { url, port, prefix, config, stop }
}

// ---------------------------------------------------------------------------------------------------------
// The books, read straight from MySQL

export interface Books {
  charged: number
  used: number
  refunded: number
  balances: number
  /** SOLD seats not in exactly one CONFIRMED order with one payment that stands. */
  soldWithoutOneSale: number
  /** Payments whose order is not CONFIRMED (or, refunded, not REFUNDED). */
  paymentsNotConfirmed: number
  /** USE rows that do not match one payment (count and sum). */
  useRows: number
  payments: number
  paymentSum: number
  sold: number
  /** Seats HELD with a hold that has not lapsed yet. */
  liveHolds: number
}

export async function readBooks (conn: Connection, now = Date.now()): Promise<Books> {
  const one = async <T>(query: string, params: unknown[] = []): Promise<T> => ((await conn.query(query, params))[0] as T[])[0]
  const sums = await one<{ charged: number | null, used: number | null, refunded: number | null, useRows: number }>(
    `SELECT SUM(CASE WHEN type = 'CHARGE' THEN amount ELSE 0 END) AS charged,
            SUM(CASE WHEN type = 'USE' THEN amount ELSE 0 END) AS used,
            SUM(CASE WHEN type = 'REFUND' THEN amount ELSE 0 END) AS refunded,
            SUM(CASE WHEN type = 'USE' THEN 1 ELSE 0 END) AS useRows
       FROM point_history`)
  const balances = await one<{ total: number | null }>('SELECT SUM(balance) AS total FROM users')
  // A seat is in an order through reservation_seats (one order may hold several seats).
  const sold = await one<{ n: number, bad: number | null }>(
    `SELECT COUNT(*) AS n, SUM(CASE WHEN
              (SELECT COUNT(*) FROM reservation_seats rs JOIN reservations r ON r.id = rs.reservation_id
                WHERE rs.show_id = s.show_id AND rs.seat_no = s.seat_no AND r.status = 'CONFIRMED') = 1
          AND (SELECT COUNT(*) FROM reservations r WHERE r.id = s.reservation_id AND r.status = 'CONFIRMED') = 1
          AND (SELECT COUNT(*) FROM payments p WHERE p.reservation_id = s.reservation_id AND p.refunded_at IS NULL) = 1
        THEN 0 ELSE 1 END) AS bad
       FROM seats s WHERE s.status = 'SOLD'`)
  // A payment stands for a CONFIRMED order; a refunded one for a REFUNDED order.
  const payments = await one<{ n: number, total: number | null, bad: number | null }>(
    `SELECT COUNT(*) AS n, SUM(p.amount) AS total,
            SUM(CASE WHEN r.status = (CASE WHEN p.refunded_at IS NULL THEN 'CONFIRMED' ELSE 'REFUNDED' END) THEN 0 ELSE 1 END) AS bad
       FROM payments p LEFT JOIN reservations r ON r.id = p.reservation_id`)
  const held = await one<{ n: number }>("SELECT COUNT(*) AS n FROM seats WHERE status = 'HELD' AND held_until > ?", [now])
  return {
    charged: Number(sums.charged ?? 0),
    used: Number(sums.used ?? 0),
    refunded: Number(sums.refunded ?? 0),
    useRows: Number(sums.useRows ?? 0),
    balances: Number(balances.total ?? 0),
    soldWithoutOneSale: Number(sold.bad ?? 0),
    sold: Number(sold.n),
    paymentsNotConfirmed: Number(payments.bad ?? 0),
    payments: Number(payments.n),
    paymentSum: Number(payments.total ?? 0),
    liveHolds: Number(held.n)
  }
}

// ---------------------------------------------------------------------------------------------------------
// Journeys shared by the suites

/** The demo show dates (soonest first), read through `baseUrl`. */
export async function demoDates (baseUrl: string): Promise<{ concertId: string, dates: string[] }> {
  const r = await call(baseUrl, 'GET', '/concerts/dates')
  if (r.status !== 200 || r.body.dates.length === 0) throw new Error(`no bookable dates: ${r.status} ${r.text}`)
  return { concertId: r.body.dates[0].concertId as string, dates: (r.body.dates as Array<{ date: string }>).map(d => d.date) }
}

/** Joins the waiting room; returns the ticket (status, position, token). */
export async function joinQueue (baseUrl: string, userId: string, concertId: string): Promise<Reply> {
  return call(baseUrl, 'POST', '/queue/tokens', { headers: bearer(userId), body: { concertId } })
}

/** Headers for an admitted user's requests: bearer plus Queue-Token. */
export const admitted = (userId: string, token: string): Record<string, string> => ({ ...bearer(userId), 'queue-token': token })
