// Bearer JWTs (HS256): minting for the dev login, verifying on every protected route.

import { createSigner, createVerifier } from 'fast-jwt'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ForbiddenError, UnauthenticatedError } from '../shared/errors.js'

export const USER_ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$'
const userIdRe = new RegExp(USER_ID_PATTERN)

export interface Principal { userId: string, isAdmin: boolean }

declare module 'fastify' {
  interface FastifyRequest { principal: Principal | null }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route is an event stream: EventSource cannot send headers, so `?access_token=` and `?queue_token=` count. */
    queryTokens?: boolean
  }
}

/** Bearers further in the future than this are refused: a leaked token must not work for long. */
export const MAX_BEARER_LIFETIME_MS = 7 * 24 * 3600_000

const QUERY_TOKENS = ['access_token', 'queue_token']

/**
 * Query tokens count on event-stream routes only (`config: { queryTokens: true }`): anywhere else they are dropped
 * before any hook or handler reads the query, so such a request is treated as if it carried no token.
 */
export function registerQueryTokenPolicy (app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config?.queryTokens === true) return
    const query = request.query as Record<string, unknown> | null | undefined
    if (query && typeof query === 'object') for (const name of QUERY_TOKENS) delete query[name]
  })
}

export interface Auth {
  sign (userId: string, role?: 'admin'): { accessToken: string, expiresAt: number }
  /** onRequest hook: a valid bearer is required (the header, or `?access_token=` on event-stream routes). */
  authenticate (request: FastifyRequest, reply?: FastifyReply): Promise<void>
  /** onRequest hook: the bearer must be an admin. */
  requireAdmin (request: FastifyRequest, reply?: FastifyReply): Promise<void>
}

export function createAuth (secret: string, ttlMs = 24 * 3600_000, now: () => number = Date.now): Auth {
  const signer = createSigner({ key: secret, algorithm: 'HS256', expiresIn: ttlMs })
  // One entry per signed-in fan (about 300 bytes): a rush of 100,000 polling fans stays in the cache.
  const verifier = createVerifier({ key: secret, algorithms: ['HS256'], requiredClaims: ['exp'], cache: 100_000 })

  function verify (token: string): Principal {
    let claims: { sub?: unknown, role?: unknown, exp?: unknown }
    try {
      claims = verifier(token) as { sub?: unknown, role?: unknown, exp?: unknown }
    } catch {
      throw new UnauthenticatedError('UNAUTHENTICATED', 'the bearer token is missing, malformed, expired, without exp or not signed by this service')
    }
    if (typeof claims.exp !== 'number' || claims.exp * 1000 > now() + MAX_BEARER_LIFETIME_MS) {
      throw new UnauthenticatedError('UNAUTHENTICATED', 'the bearer token must expire within 7 days')
    }
    if (typeof claims.sub !== 'string' || !userIdRe.test(claims.sub)) throw new UnauthenticatedError('UNAUTHENTICATED', 'the bearer token has no valid subject')
    return { userId: claims.sub, isAdmin: claims.role === 'admin' }
  }

  async function authenticate (request: FastifyRequest): Promise<void> {
    const header = request.headers.authorization
    let token: string | undefined
    if (header !== undefined) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header)
      if (!m) throw new UnauthenticatedError('UNAUTHENTICATED', 'use Authorization: Bearer <token>')
      token = m[1]
    } else {
      const q = (request.query as Record<string, unknown> | undefined)?.access_token
      if (typeof q === 'string') token = q
    }
    if (!token) throw new UnauthenticatedError('UNAUTHENTICATED', 'a bearer token is required')
    request.principal = verify(token)
  }

  return {
    sign (userId, role) {
      const expiresAt = Date.now() + ttlMs
      return { accessToken: signer({ sub: userId, ...(role ? { role } : {}) }), expiresAt }
    },
    authenticate,
    async requireAdmin (request) {
      await authenticate(request)
      if (!request.principal?.isAdmin) throw new ForbiddenError('FORBIDDEN', 'this route is for admins')
    }
  }
}

/** The authenticated principal (routes behind `authenticate` only). */
export function principalOf (request: Pick<FastifyRequest, 'principal'>): Principal {
  if (!request.principal) throw new UnauthenticatedError('UNAUTHENTICATED', 'a bearer token is required')
  return request.principal
}

/** `/users/{id}/...` routes: the bearer must be that user, or an admin. */
export function requireSelf (request: Pick<FastifyRequest, 'principal'>, userId: string): Principal {
  const p = principalOf(request)
  if (p.userId !== userId && !p.isAdmin) throw new ForbiddenError('FORBIDDEN', 'you may only act on your own account')
  return p
}
