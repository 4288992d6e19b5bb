// Checkpoints the embedded database's write-ahead log from a worker thread, so no request waits for it.

import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

/*
 * SQLite copies the WAL back into the database file (and fsyncs it) inside whichever commit crosses
 * wal_autocheckpoint pages: on the one event loop of the embedded mode, that was 1 % of the writes taking
 * 5–200 ms and about half of all the time writes spent in SQLite. A second connection in a worker thread
 * runs PASSIVE checkpoints instead, which never block the writer (it goes on appending meanwhile); the
 * main connection's own autocheckpoint stays as a safety net at a larger size.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.module)
const db = new Database(workerData.file, { fileMustExist: true })
db.pragma('busy_timeout = 1000')
const step = () => {
  try { db.pragma('wal_checkpoint(PASSIVE)') } catch {}
  parentPort.postMessage('checkpointed')
}
const timer = setInterval(step, workerData.everyMs)
parentPort.on('message', (m) => { if (m === 'stop') { clearInterval(timer); db.close(); parentPort.close() } })
`

export interface Checkpointer {
  /** Resolves after the next checkpoint the worker has run. */
  next (): Promise<void>
  stop (): Promise<void>
}

export function startCheckpointer (file: string, everyMs = 100): Checkpointer {
  const worker = new Worker(WORKER, { eval: true, workerData: { file, everyMs, module: createRequire(import.meta.url).resolve('better-sqlite3') } })
  worker.unref()
  let waiting: Array<() => void> = []
  worker.on('message', () => { const w = waiting; waiting = []; for (const resolve of w) resolve() })
  // A failed worker only means the main connection checkpoints by itself again (its autocheckpoint).
  worker.on('error', () => {})
  return {
    next: () => new Promise(resolve => { waiting.push(resolve) }),
    async stop () {
      // Closes the worker's connection, or (after a second) ends the thread, which SQLite survives as a crash.
      let timer: NodeJS.Timeout | undefined
      const exited = new Promise(resolve => worker.once('exit', resolve))
      worker.postMessage('stop')
      await Promise.race([exited, new Promise(resolve => { timer = setTimeout(resolve, 1000) })])
      clearTimeout(timer)
      await worker.terminate()
    }
  }
}
