// Dev login: mint a bearer token for a user id (embedded mode by default; 404 when disabled).

import { Type } from 'typebox'
import { iso } from '../../shared/clock.js'
import { NotFoundError } from '../../shared/errors.js'
import type { App, RouteDeps } from '../../http/route-deps.js'
import { Instant, UserId, problems } from '../../http/schemas.js'

export function registerAuthRoutes (app: App, { config, auth }: RouteDeps): void {
  app.post('/auth/token', {
    schema: {
      tags: ['auth'],
      summary: 'Mint a bearer token (development convenience)',
      description: 'Enabled by AUTH_DEV_LOGIN (default: on in the embedded mode only); 404 when disabled. Production deployments mint tokens in their identity provider with the same JWT_SECRET.',
      body: Type.Object({ userId: UserId, role: Type.Optional(Type.Literal('admin')) }, { additionalProperties: false }),
      response: { 200: Type.Object({ accessToken: Type.String(), expiresAt: Instant }), ...problems(400, 'NOT_FOUND') }
    }
  }, async (request) => {
    if (!config.authDevLogin) throw new NotFoundError('NOT_FOUND', 'the dev login is disabled (AUTH_DEV_LOGIN=false)')
    const { userId, role } = request.body
    const { accessToken, expiresAt } = auth.sign(userId, role)
    return { accessToken, expiresAt: iso(expiresAt) }
  })
}
