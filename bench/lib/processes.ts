// Child processes of the bench (service instances, baseline servers): free ports, start, wait for health, stop.

import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream, readFileSync } from 'node:fs'
import net from 'node:net'

const handedOut = new Set<number>()

/** A port nothing listens on, never the same twice in one bench run (servers are started in parallel). */
export async function freePort (): Promise<number> {
  for (;;) {
    const port = await ephemeralPort()
    if (!handedOut.has(port)) { handedOut.add(port); return port }
  }
}

function ephemeralPort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo
      srv.close(() => resolve(port))
    })
  })
}

export interface Proc { name: string, port: number, pid: number, logFile: string, stop: () => Promise<void> }

const running = new Set<ChildProcess>()

/** Kills whatever is still running (the bench's own children only); for exit paths. */
export function killAll (): void {
  for (const child of running) { try { child.kill('SIGKILL') } catch { /* already gone */ } }
  running.clear()
}

export interface StartOptions {
  name: string
  /** Arguments to `node` (script and its args, plus flags such as --cpu-prof). */
  nodeArgs: string[]
  env: Record<string, string>
  port: number
  logFile: string
  cwd: string
  /** Path polled until it answers 200. */
  healthPath?: string
  timeoutMs?: number
}

export async function startNode (o: StartOptions): Promise<Proc> {
  const log = createWriteStream(o.logFile, { flags: 'a' })
  const child = spawn(process.execPath, o.nodeArgs, {
    cwd: o.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NODE_ENV: 'production', ...o.env, PORT: String(o.port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  running.add(child)
  child.stdout?.pipe(log)
  child.stderr?.pipe(log)
  let exited: number | null | undefined
  const exit = new Promise<void>(resolve => child.once('exit', (code) => { exited = code; running.delete(child); resolve() }))

  const deadline = Date.now() + (o.timeoutMs ?? 30_000)
  for (;;) {
    if (exited !== undefined) {
      throw new Error(`${o.name} exited with code ${exited} while starting; its log (${o.logFile}):\n${tail(o.logFile)}`)
    }
    if (await answers(o.port, o.healthPath ?? '/health')) break
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`${o.name} did not answer on port ${o.port} within ${o.timeoutMs ?? 30_000} ms; log:\n${tail(o.logFile)}`)
    }
    await sleep(100)
  }

  return {
    name: o.name,
    port: o.port,
    pid: child.pid ?? -1,
    logFile: o.logFile,
    async stop () {
      if (exited !== undefined) return
      child.kill('SIGTERM') // graceful: lets --cpu-prof write its profile
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      await exit
      clearTimeout(killer)
      log.end()
    }
  }
}

function answers (port: number, path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = net.connect(port, '127.0.0.1', () => {
      req.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`)
    })
    let data = ''
    req.on('data', (c: Buffer) => { data += c.toString() })
    req.on('end', () => resolve(/^HTTP\/1\.1 200/.test(data)))
    req.on('error', () => resolve(false))
    req.setTimeout(1000, () => { req.destroy(); resolve(false) })
  })
}

function tail (file: string, lines = 30): string {
  try { return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n') } catch { return '(no log)' }
}

export const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))
