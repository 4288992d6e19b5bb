// Who is signed in (kept in localStorage) and the waiting-room tokens this tab holds (kept in sessionStorage).

export interface Session { userId: string, accessToken: string, expiresAt: string }

const SESSION_KEY = 'cr.session'
const listeners = new Set<() => void>()

function read (): Session | null {
  try {
    const raw = localStorage.getItem(SESSION_KEY)
    if (!raw) return null
    const value = JSON.parse(raw) as Session
    if (typeof value.userId !== 'string' || typeof value.accessToken !== 'string') return null
    if (Date.parse(value.expiresAt) <= Date.now()) return null
    return value
  } catch {
    return null
  }
}

let current: Session | null = read()

/** The signed-in user, or null once signed out or the token has expired. */
export function session (): Session | null {
  if (current && Date.parse(current.expiresAt) <= Date.now()) setSession(null)
  return current
}

export function setSession (next: Session | null): void {
  current = next
  if (next) localStorage.setItem(SESSION_KEY, JSON.stringify(next))
  else localStorage.removeItem(SESSION_KEY)
  for (const listener of listeners) listener()
}

export function onSessionChange (listener: () => void): void { listeners.add(listener) }

/** Reads sub and exp from a JWT without verifying it (the server verifies); null if it is not one. */
export function sessionFromJwt (token: string): Session | null {
  const parts = token.trim().split('.')
  if (parts.length !== 3) return null
  try {
    const payload = JSON.parse(atob(parts[1].replace(/-/g, '+').replace(/_/g, '/'))) as { sub?: unknown, exp?: unknown }
    if (typeof payload.sub !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(payload.sub)) return null
    const expiresAt = typeof payload.exp === 'number' ? new Date(payload.exp * 1000).toISOString() : new Date(Date.now() + 3_600_000).toISOString()
    return { userId: payload.sub, accessToken: token.trim(), expiresAt }
  } catch {
    return null
  }
}

function queueKey (concertId: string): string { return `cr.queue.${current?.userId ?? ''}.${concertId}` }

export function queueToken (concertId: string): string | null { return sessionStorage.getItem(queueKey(concertId)) }
export function saveQueueToken (concertId: string, token: string): void { sessionStorage.setItem(queueKey(concertId), token) }
export function forgetQueueToken (concertId: string): void { sessionStorage.removeItem(queueKey(concertId)) }

// The id of this tab's queue token (from the queue's own answers): what the opening draw keys, so the fan can check it.
function tokenIdKey (concertId: string): string { return `cr.tokenId.${current?.userId ?? ''}.${concertId}` }
export function queueTokenId (concertId: string): string | null { return sessionStorage.getItem(tokenIdKey(concertId)) }
export function saveQueueTokenId (concertId: string, tokenId: string | undefined): void { if (tokenId) sessionStorage.setItem(tokenIdKey(concertId), tokenId) }
