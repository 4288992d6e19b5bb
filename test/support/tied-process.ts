// Background servers (redis-server, ...) tied to the test process: they die with it even when it is SIGKILLed.

import { spawn } from 'node:child_process'

export interface TiedProcess {
  /** The server's own pid (not the watchdog shell's). */
  pid: number
  /** Resolves once the server exited (its exit status as the shell saw it). */
  exited: Promise<number>
  /** Sends `signal` to the server and waits until it exited. */
  kill (signal?: NodeJS.Signals): Promise<number>
}

// The shell starts the server, prints its pid, and waits for it; a second branch reads the pipe from us and
// kills the server when the pipe closes, which happens when this process ends for any reason (vitest
// killing a worker, a crash), so no redis-server outlives a test run.
const WATCHDOG = 'exec 3<&0; "$@" </dev/null >/dev/null 2>&1 & pid=$!; echo $pid; { cat <&3 >/dev/null; kill -9 $pid 2>/dev/null; } & wait $pid'

/** Starts `command args...` (its output discarded) under a watchdog; resolves once its pid is known. */
export async function spawnTied (command: string, args: string[]): Promise<TiedProcess> {
  const child = spawn('sh', ['-c', WATCHDOG, 'sh', command, ...args], { stdio: ['pipe', 'pipe', 'ignore'] })
  const exited = new Promise<number>(resolve => child.once('exit', (code, signal) => {
    child.stdin?.destroy()
    resolve(code ?? (signal ? 128 : 1))
  }))
  const pid = await new Promise<number>((resolve, reject) => {
    let text = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8')
      const line = /^(\d+)\n/.exec(text)
      if (line) resolve(Number(line[1]))
    })
    child.once('error', reject)
    void exited.then(code => reject(new Error(`${command} exited at once (${code})`)))
  })
  return {
    pid,
    exited,
    async kill (signal = 'SIGKILL') {
      try { process.kill(pid, signal) } catch { /* already gone */ }
      return exited
    }
  }
}
