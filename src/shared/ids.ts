// Id helpers: storage ids are numbers, the API speaks strings.

import { randomBytes } from 'node:crypto'

/** Parses an API id into a positive safe integer, or null when it is not one. */
export function parseId (id: string): number | null {
  if (!/^[1-9][0-9]{0,15}$/.test(id)) return null
  const n = Number(id)
  return Number.isSafeInteger(n) ? n : null
}

// Random bytes are drawn 4 KiB at a time (each byte used once): one call per id cost a payment 5 % of its CPU.
const POOL_BYTES = 4096
let pool = Buffer.alloc(0)
let offset = 0

/** A random id of `bytes` cryptographically random bytes, base64url. */
export function randomId (bytes = 16): string {
  if (bytes > POOL_BYTES) return randomBytes(bytes).toString('base64url')
  if (offset + bytes > pool.length) {
    pool = randomBytes(POOL_BYTES)
    offset = 0
  }
  const id = pool.toString('base64url', offset, offset + bytes)
  offset += bytes
  return id
}
