// Id helpers: storage ids are numbers, the API speaks strings.

import { randomBytes } from 'node:crypto'

/** Parses an API id into a positive safe integer, or null when it is not one. */
export function parseId (id: string): number | null {
  if (!/^[1-9][0-9]{0,15}$/.test(id)) return null
  const n = Number(id)
  return Number.isSafeInteger(n) ? n : null
}

export const randomId = (bytes = 16): string => randomBytes(bytes).toString('base64url')
