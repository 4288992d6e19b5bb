// One service process on a free port (src/main.ts through tsx, or the build), with its output, graceful stop and crash.

import { spawn, type ChildProcess } from 'node:child_process'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { call } from './http-client.js'
import { freePort, waitUntil } from './ports.js'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/**
 * What a service process runs: `src/main.ts` through tsx by default; TEST_SERVICE_ENTRY points the suite at
 * another entry, e.g. the build (`dist/src/main.js`, run with plain node).
 */
export const SERVICE_ENTRY = process.env.TEST_SERVICE_ENTRY ?? 'src/main.ts'

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
    if (v === undefined || /^(VITEST|NODE_OPTIONS$|TEST_|DATABASE_URL$|REDIS_URL$|JWT_SECRET$|PORT$|HOST$|SEED_DEMO$|QUEUE_|HOLD_|MAX_|LOG_LEVEL$|AUTH_DEV_LOGIN$|RATE_LIMIT|BODY_LIMIT|EVENTS_|TRUST_PROXY)/.test(k)) continue
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

