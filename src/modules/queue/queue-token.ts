// Queue tokens: opaque to clients, signed with the server secret so a forged or altered one is refused before any store is asked.

import { createHmac, timingSafeEqual } from 'node:crypto'
import { UnauthenticatedError } from '../../shared/errors.js'

export interface QueueTokenClaims { concertId: number, userId: string, tokenId: string }

const sign = (secret: string, payload: string): string => createHmac('sha256', secret).update(`queue-token.${payload}`).digest('base64url')

export function encodeQueueToken (secret: string, c: QueueTokenClaims): string {
  const payload = Buffer.from(JSON.stringify({ c: c.concertId, u: c.userId, t: c.tokenId })).toString('base64url')
  return `${payload}.${sign(secret, payload)}`
}

/** The claims of a token this server signed; QUEUE_TOKEN_INVALID for anything else. */
export function decodeQueueToken (secret: string, token: string): QueueTokenClaims {
  // Built only when thrown: an error's stack trace is costly, and most tokens are valid.
  const invalid = (): UnauthenticatedError => new UnauthenticatedError('QUEUE_TOKEN_INVALID', 'the queue token is not valid')
  if (token.length > 512) throw invalid()
  const [payload, signature, extra] = token.split('.')
  if (!payload || !signature || extra !== undefined) throw invalid()
  const expected = Buffer.from(sign(secret, payload))
  const given = Buffer.from(signature)
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalid()
  try {
    const body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { c: unknown, u: unknown, t: unknown }
    if (typeof body.c !== 'number' || typeof body.u !== 'string' || typeof body.t !== 'string') throw invalid()
    return { concertId: body.c, userId: body.u, tokenId: body.t }
  } catch {
    throw invalid()
  }
}
