// The requests of a load run as raw HTTP/1.1, split into one slice file per generator thread or process
// (records "<byte length>\n<raw request>"), which wrk.lua and autocannon-worker.ts both read.

import { readFileSync, writeFileSync } from 'node:fs'

export interface LoadRequest { method: 'GET' | 'POST' | 'DELETE', path: string, headers?: Record<string, string>, body?: string }

/** The request exactly as it goes on the wire (keep-alive is HTTP/1.1's default). */
export function renderRequest (r: LoadRequest): Buffer {
  const lines = [`${r.method} ${r.path} HTTP/1.1`, 'Host: 127.0.0.1']
  for (const [k, v] of Object.entries(r.headers ?? {})) lines.push(`${k}: ${v}`)
  const body = r.body === undefined ? undefined : Buffer.from(r.body)
  if (body) lines.push('Content-Type: application/json', `Content-Length: ${body.length}`)
  else if (r.method !== 'GET') lines.push('Content-Length: 0')
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`)
  return body ? Buffer.concat([head, body]) : head
}

/**
 * Which items slice `s` of `slices` sends, in order: every `slices`-th from `s`. A cycling run with fewer
 * items than slices gives every slice all of them (no thread may be left with nothing to send).
 */
export function sliceIndexes (count: number, slices: number, s: number, cycling: boolean): number[] {
  if (cycling && count < slices) return Array.from({ length: count }, (_, i) => i)
  const out: number[] = []
  for (let i = s; i < count; i += slices) out.push(i)
  return out
}

/** Writes `<prefix>.<s>` for every slice. */
export function writeSlices (prefix: string, items: Buffer[], slices: number, cycling: boolean): void {
  for (let s = 0; s < slices; s++) {
    const parts: Buffer[] = []
    for (const i of sliceIndexes(items.length, slices, s, cycling)) parts.push(Buffer.from(`${items[i].length}\n`), items[i])
    writeFileSync(`${prefix}.${s}`, Buffer.concat(parts))
  }
}

/** Reads back length-prefixed records (a slice file, or a file of captured reply bodies). */
export function readRecords (file: string): Buffer[] {
  const data = readFileSync(file)
  const out: Buffer[] = []
  let pos = 0
  while (pos < data.length) {
    const nl = data.indexOf(10, pos)
    const n = Number(data.subarray(pos, nl).toString('latin1'))
    out.push(data.subarray(nl + 1, nl + 1 + n))
    pos = nl + 1 + n
  }
  return out
}

/** The parts of a raw request again (for generators that take them apart, as autocannon does). */
export function parseRequest (raw: Buffer): { method: string, path: string, headers: Record<string, string>, body?: Buffer } {
  const end = raw.indexOf('\r\n\r\n')
  const [start, ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n')
  const [method, path] = start.split(' ')
  const headers: Record<string, string> = {}
  for (const l of lines) { const c = l.indexOf(':'); headers[l.slice(0, c).toLowerCase()] = l.slice(c + 1).trim() }
  const body = raw.subarray(end + 4)
  return { method, path, headers, body: body.length > 0 ? body : undefined }
}
