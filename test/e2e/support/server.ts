// Starts the real service (`node --import tsx src/main.ts`) on a free port with the given environment, for one test file.
// E2E_SERVER_ENTRY runs another entry instead (e.g. dist/src/main.js after `npm run build`).
import { spawn, type ChildProcess } from 'node:child_process'
import { projectRoot } from '../../../src/http/web.js'
import { freePort } from '../../support/ports.js'

export interface RunningServer {
  url: string
  /** What the process printed so far: shown when a test fails to start it. */
  output: () => string
  stop: () => Promise<void>
  /** Starts the process again on the same port (after stop), with env changes on top of the first start's. */
  start: (env?: Record<string, string>) => Promise<void>
}

async function waitForHealth (url: string, child: ChildProcess, output: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output()}`)
    try {
      const response = await fetch(`${url}/health`)
      if (response.ok) return
    } catch {
      // not listening yet
    }
    await new Promise(resolve => setTimeout(resolve, 200))
  }
  throw new Error(`server did not become healthy within ${timeoutMs} ms:\n${output()}`)
}

/** Starts a server with an in-memory SQLite database and the demo concert; env overrides the defaults. */
export async function startServer (env: Record<string, string> = {}): Promise<RunningServer> {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  let child: ChildProcess | null = null
  let log = ''
  let current = env

  const stop = async () => {
    const running = child
    if (!running || running.exitCode !== null || running.signalCode !== null) return
    const exited = new Promise<void>(resolve => running.once('exit', () => resolve()))
    running.kill('SIGTERM')
    const timer = setTimeout(() => running.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(timer)
  }

  const start = async (more: Record<string, string> = {}) => {
    current = { ...current, ...more }
    const entry = process.env.E2E_SERVER_ENTRY ?? 'src/main.ts'
    const spawned = spawn(process.execPath, entry.endsWith('.js') ? [entry] : ['--import', 'tsx', entry], {
      cwd: projectRoot(),
      env: {
        ...process.env,
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATABASE_URL: 'sqlite::memory:',
        REDIS_URL: '',
        JWT_SECRET: '',
        LOG_LEVEL: 'warn',
        ...current
      },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    child = spawned
    const keep = (chunk: Buffer) => { log = (log + chunk.toString()).slice(-20_000) }
    spawned.stdout?.on('data', keep)
    spawned.stderr?.on('data', keep)
    // Never leave a server behind when the test process ends without reaching stop() (a crash, a timeout).
    const killOnExit = () => { spawned.kill('SIGKILL') }
    process.once('exit', killOnExit)
    spawned.once('exit', () => process.off('exit', killOnExit))
    try {
      await waitForHealth(url, spawned, () => log)
    } catch (error) {
      await stop()
      throw error
    }
  }

  await start()
  return { url, output: () => log, stop, start }
}
