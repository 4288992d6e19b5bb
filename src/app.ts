// buildApp(deps): plugins, strict validation, one error handler, each module's routes registered by hand.

import { randomUUID } from 'node:crypto'
import Fastify, { type FastifyBaseLogger } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import rateLimit from '@fastify/rate-limit'
import { AppError } from './shared/errors.js'
import { Ajv } from 'ajv'
import addFormats from 'ajv-formats'
import type { AppDeps } from './deps.js'
import { createAuth, registerQueryTokenPolicy } from './http/auth.js'
import { checkRequestLine, createClientErrorHandler, onFrameworkError, onUnknownExpectation } from './http/client-errors.js'
import { createMetrics, registerRequestMetrics } from './http/metrics.js'
import { registerProblemHandlers } from './http/problem.js'
import { closeAllSse } from './http/sse.js'
import { startJobs } from './jobs.js'
import { registerAdminRoutes } from './modules/admin/admin.routes.js'
import { registerAuthRoutes } from './modules/auth/auth.routes.js'
import { registerConcertRoutes } from './modules/concerts/concerts.routes.js'
import { registerOpsRoutes } from './modules/ops/ops.routes.js'
import { registerPaymentRoutes } from './modules/payments/payments.routes.js'
import { registerPointRoutes } from './modules/points/points.routes.js'
import { createQueueHub } from './modules/queue/queue-hub.js'
import { registerQueueRoutes, ticketBody } from './modules/queue/queue.routes.js'
import type { App, RouteDeps } from './http/route-deps.js'
import { registerReservationRoutes } from './modules/reservations/reservations.routes.js'

export interface BuildOptions {
  /** A pino logger for requests (none by default: tests stay quiet). */
  logger?: FastifyBaseLogger
  /** Background jobs (admission tick, hold sweeper, stream refresh); on by default. */
  jobs?: boolean
  /** Serve the fans' web app at `/` (default true). */
  web?: boolean
}

const hopsTrusted = (hops: number) => (_address: string, hop: number): boolean => hop < hops

/** Probes and scrapes are never rate-limited. */
const UNLIMITED_PATHS = new Set(['/health', '/ready', '/metrics'])

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

/** Bodies are strict (no coercion, unknown fields refused); query strings and params arrive as strings and are coerced. */
function createValidators (): { body: Ajv, other: Ajv } {
  const common = { allErrors: true, removeAdditional: false as const, useDefaults: true, strict: false }
  const body = new Ajv({ ...common, coerceTypes: false })
  const other = new Ajv({ ...common, coerceTypes: true })
  addFormats.default(body)
  addFormats.default(other)
  return { body, other }
}

export async function buildApp (deps: AppDeps, options: BuildOptions = {}): Promise<App> {
  const { config } = deps
  const app: App = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    bodyLimit: config.bodyLimitBytes,
    // A client cannot pin sockets: slow or idle requests get 408 and a closed socket, idle keep-alive sockets
    // are closed, and Node checks for lapsed ones often enough to honour short timeouts. Event streams are
    // responses, which none of these limit.
    http: {
      headersTimeout: config.headersTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, Math.ceil(config.headersTimeoutMs / 4)),
      // Checked in checkRequestLine, so the answer is a problem like every other (Node's own is plain text).
      requireHostHeader: false
    },
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    // Called on the server's events only, once `app` exists.
    clientErrorHandler: createClientErrorHandler(() => app.log),
    frameworkErrors: onFrameworkError,
    // A hop count: the nearest N addresses (the connecting one first) are proxies; the next one is the client.
    trustProxy: typeof deps.config.trustProxy === 'number' ? hopsTrusted(deps.config.trustProxy) : deps.config.trustProxy,
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID()
    },
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true }
  }).withTypeProvider<TypeBoxTypeProvider>()
  app.server.maxConnections = config.maxConnections
  app.server.on('checkExpectation', onUnknownExpectation)
  app.decorateRequest('principal', null)
  // JSON only: a text/plain body is refused with 415 instead of reaching validation as a string.
  app.removeContentTypeParser('text/plain')
  app.addHook('onRequest', async (request, reply) => { reply.header('x-request-id', request.id) })
  app.addHook('onRequest', checkRequestLine)
  registerQueryTokenPolicy(app)

  const validators = createValidators()
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? validators.body : validators.other).compile(schema))
  registerProblemHandlers(app)

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Concert reservation service',
        version: '0.1.0',
        description: 'Waiting room, seat holds, prepaid points and payment. Errors are application/problem+json (RFC 9457) with a stable `code`. Money is integer won; ids are strings; times are ISO-8601 UTC.'
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          queueToken: { type: 'apiKey', in: 'header', name: 'Queue-Token' }
        }
      },
      tags: ['auth', 'concerts', 'queue', 'reservations', 'points', 'payments', 'admin', 'operations'].map(name => ({ name }))
    }
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })
  if (deps.config.rateLimitPerMinute > 0) {
    // Off unless configured (bursts from one address are normal in tests and load generators).
    // With Redis the counters are shared, so the limit holds across instances.
    await app.register(rateLimit, {
      max: deps.config.rateLimitPerMinute,
      timeWindow: 60_000,
      ...(deps.sharedRedis ? { redis: deps.sharedRedis, nameSpace: 'concert:ratelimit:', skipOnError: true } : {}),
      // The path, not the URL: `/health?x` is a health check too.
      allowList: (request) => UNLIMITED_PATHS.has(request.url.split('?', 1)[0]),
      errorResponseBuilder: (_request, context) => new AppError('RATE_LIMITED', `too many requests; retry in ${Math.ceil(context.ttl / 1000)} s`)
    })
  }

  const metrics = createMetrics(deps.ports.queue, deps.clock)
  registerRequestMetrics(app, metrics)
  const routes: RouteDeps = { config: deps.config, useCases: deps.useCases, auth: createAuth(deps.config.jwtSecret), metrics }
  const hub = createQueueHub(deps.useCases.queue.currentMany, ticketBody)

  registerAuthRoutes(app, routes)
  registerConcertRoutes(app, routes)
  registerQueueRoutes(app, routes, hub)
  registerReservationRoutes(app, routes)
  registerPointRoutes(app, routes)
  registerPaymentRoutes(app, routes)
  registerAdminRoutes(app, routes)
  registerOpsRoutes(app, routes, deps.readiness)
  if (options.web !== false) {
    const { registerWebApp } = await import('./http/web.js')
    await registerWebApp(app)
  }

  // Open event streams would hold the server open forever: end them so in-flight requests can finish and close.
  app.addHook('preClose', async () => { closeAllSse(app) })
  if (options.jobs !== false) {
    let stop: (() => Promise<void>) | undefined
    app.addHook('onReady', async () => { stop = startJobs(deps.useCases.jobs, hub, app.log) })
    app.addHook('preClose', async () => { await stop?.() })
  }
  return app
}
