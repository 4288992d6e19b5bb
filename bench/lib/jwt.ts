// Bearer tokens signed by the bench itself (HS256 with the service's JWT_SECRET), so thousands of users need no /auth/token call.

import { createHmac } from 'node:crypto'

const b64 = (x: string | Buffer): string => Buffer.from(x).toString('base64url')
const HEADER = b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))

export function signBearer (secret: string, userId: string, role?: 'admin'): string {
  const now = Math.floor(Date.now() / 1000)
  const payload = b64(JSON.stringify({ sub: userId, ...(role ? { role } : {}), iat: now, exp: now + 6 * 3600 }))
  const signature = createHmac('sha256', secret).update(`${HEADER}.${payload}`).digest('base64url')
  return `${HEADER}.${payload}.${signature}`
}

/** A bearer header per user id, signed once and kept. */
export function bearerCache (secret: string): (userId: string) => string {
  const cache = new Map<string, string>()
  return (userId) => {
    let h = cache.get(userId)
    if (h === undefined) { h = `Bearer ${signBearer(secret, userId)}`; cache.set(userId, h) }
    return h
  }
}
