// Free TCP ports and polling: what every test that starts real processes needs first.

import { createServer } from 'node:net'

export const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

/** A TCP port nobody listens on right now (the OS picks it). */
export async function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** Polls `check` until it returns true; throws `describe()` after `timeoutMs`. */
export async function waitUntil (check: () => Promise<boolean>, timeoutMs: number, describe: () => string, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check().catch(() => false)) return
    if (Date.now() > deadline) throw new Error(describe())
    await sleep(everyMs)
  }
}
