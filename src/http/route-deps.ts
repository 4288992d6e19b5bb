// What every module's routes receive: the app typed by its TypeBox schemas, ready use cases, auth and metrics.

import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Config } from '../config.js'
import type { UseCases } from '../compose.js'
import type { Auth } from './auth.js'
import type { Metrics } from './metrics.js'

/** The Fastify instance with the TypeBox type provider: a route's request and reply types come from its schema. */
export type App = FastifyInstance<Server, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>

export interface RouteDeps {
  config: Config
  useCases: UseCases
  auth: Auth
  metrics: Metrics
}
