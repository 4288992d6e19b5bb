// A redis-server of our own on a free port: fault tests kill and restart it (the shared one is never touched).

import { tmpdir } from 'node:os'
import { Redis } from 'ioredis'
import { freePort, waitUntil } from './ports.js'
import { spawnTied, type TiedProcess } from './tied-process.js'

/** A short-lived connection to the redis-server on `port` (no retries: refused at once when it is down). */
export async function onRedisPort<T> (port: number, work: (r: Redis) => Promise<T>): Promise<T> {
  const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, enableOfflineQueue: false, connectTimeout: 1000, commandTimeout: 2000 })
  r.on('error', () => {})
  try {
    await r.connect()
    return await work(r)
  } finally {
    r.disconnect()
  }
}

/** Starts redis-server with `args` (tied to this process) and waits until it answers PING on `port`. */
export async function startRedisServer (port: number, args: string[]): Promise<TiedProcess> {
  const server = await spawnTied('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args])
  await waitUntil(() => onRedisPort(port, async r => (await r.ping()) === 'PONG'), 5000, () => `redis-server on port ${port} did not start`, 50)
  return server
}

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
  let server: TiedProcess | null = null
  const own: OwnRedis = {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    async start () {
      // It writes nothing (no RDB, no AOF), so no directory of its own to leave behind.
      server = await startRedisServer(port, ['--dir', tmpdir()])
    },
    async kill () {
      const running = server
      server = null
      await running?.kill('SIGKILL')
    }
  }
  await own.start()
  return own
}
