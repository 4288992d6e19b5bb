// The one place that turns errors into RFC 9457 problem+json responses; statuses and titles come from the error catalogue.

import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ERROR_CATALOGUE, type ErrorCode } from '../shared/error-catalogue.js'
import { AppError, type FieldError } from '../shared/errors.js'

export interface Problem {
  type: string
  title: string
  status: number
  detail: string
  code: ErrorCode
  requestId: string
  [extension: string]: unknown
}

export function problemOf (code: ErrorCode, detail: string, requestId: string, extensions: Record<string, unknown> = {}): Problem {
  const { status, title } = ERROR_CATALOGUE[code]
  // Extensions first: they can never overwrite the problem's own members.
  return { ...extensions, type: `urn:concert-reservation:problem:${code}`, title, status, detail, code, requestId }
}

// Errors of the drivers that mean "a backing store is down", not "a bug".
const STORE_DOWN = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'PROTOCOL_CONNECTION_LOST', 'ER_CON_COUNT_ERROR', 'ER_SERVER_SHUTDOWN', 'EHOSTUNREACH'])
function isStoreDown (err: unknown): boolean {
  const e = err as { code?: string, message?: string, errno?: number }
  return STORE_DOWN.has(e.code ?? '') || e.errno === 1053 || (err as { fatal?: boolean }).fatal === true ||
    /Connection is closed|connect ETIMEDOUT|Pool is closed|Stream isn't writeable|connection is in closed state/.test(e.message ?? '')
}

// MySQL gave up on a row lock (ER_LOCK_WAIT_TIMEOUT) or kept losing deadlocks (ER_LOCK_DEADLOCK) after its retries.
const isLockContention = (err: unknown): boolean => [1205, 1213].includes((err as { errno?: number }).errno ?? 0)

/** Fastify's schema validation errors as `{ path, message }`, the path naming the request part (`body/amount`). */
function validationErrors (fe: FastifyError): FieldError[] {
  return (fe.validation ?? []).map(v => {
    const params = v.params as { missingProperty?: string, additionalProperty?: string }
    const child = v.keyword === 'required' ? `/${String(params.missingProperty)}` : v.keyword === 'additionalProperties' ? `/${String(params.additionalProperty)}` : ''
    return {
      path: `${fe.validationContext ?? 'body'}${v.instancePath || ''}${child}`,
      message: v.keyword === 'additionalProperties' ? 'is not an accepted field' : (v.message ?? 'is not valid')
    }
  })
}

/**
 * A use case names fields by JSON pointers into its input; the input is the request part the route reads it from
 * (`part`), so `/amount` is reported as `body/amount`.
 */
function inPart (extensions: Record<string, unknown>, part: string): Record<string, unknown> {
  const errors = extensions.errors as FieldError[] | undefined
  if (!errors) return extensions
  return { ...extensions, errors: errors.map(e => ({ ...e, path: e.path.startsWith('/') ? `${part}${e.path}` : e.path })) }
}

/** The request part a route's use-case input comes from: its body if it has one, else its query string, else its path. */
function inputPartOf (request: FastifyRequest): string {
  const schema = request.routeOptions.schema
  return schema?.body ? 'body' : schema?.querystring ? 'querystring' : 'params'
}

// Fastify's own client errors, by the code it gives them.
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_JSON_BODY: 'VALIDATION_FAILED',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'VALIDATION_FAILED'
}
const FASTIFY_DETAIL: Partial<Record<ErrorCode, string>> = {
  PAYLOAD_TOO_LARGE: 'the request body is too large',
  UNSUPPORTED_MEDIA_TYPE: 'send the body as application/json',
  VALIDATION_FAILED: 'the body is not valid JSON'
}

/** Maps any thrown error to a problem; unknown ones become a 500 that leaks nothing but the request id. */
export function toProblem (err: unknown, requestId: string, inputPart = 'body'): { problem: Problem, retryAfter?: number } {
  if (err instanceof AppError) {
    // A 503, or a 409 IDEMPOTENCY_IN_PROGRESS, says when to try again.
    const { retryAfterSeconds } = err as { retryAfterSeconds?: number }
    return { problem: problemOf(err.code, err.message, requestId, inPart(err.extensions, inputPart)), ...(retryAfterSeconds !== undefined ? { retryAfter: retryAfterSeconds } : {}) }
  }
  const fe = err as FastifyError
  if (fe.validation) {
    return { problem: problemOf('VALIDATION_FAILED', `the request ${fe.validationContext ?? 'body'} is not valid`, requestId, { errors: validationErrors(fe) }) }
  }
  const known = FASTIFY_CODES[fe.code]
  if (known) {
    const extensions = known === 'VALIDATION_FAILED' ? { errors: [{ path: 'body', message: fe.message }] } : {}
    return { problem: problemOf(known, FASTIFY_DETAIL[known] ?? fe.message, requestId, extensions) }
  }
  if (fe.statusCode === 400 || (err instanceof SyntaxError)) {
    return { problem: problemOf('VALIDATION_FAILED', 'the request is not valid', requestId, { errors: [{ path: 'body', message: fe.message }] }) }
  }
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    const problem = problemOf(fe.statusCode === 404 ? 'NOT_FOUND' : 'BAD_REQUEST', fe.message, requestId)
    return { problem: { ...problem, status: fe.statusCode } }
  }
  if (isLockContention(err)) return { problem: problemOf('SERVICE_UNAVAILABLE', 'the data this request needs is locked by another request; try again shortly', requestId), retryAfter: 1 }
  if (isStoreDown(err)) return { problem: problemOf('SERVICE_UNAVAILABLE', 'a backing store is unavailable, try again shortly', requestId), retryAfter: 2 }
  return { problem: problemOf('INTERNAL_ERROR', `something went wrong on our side; quote request id ${requestId}`, requestId) }
}

export function sendProblem (reply: FastifyReply, problem: Problem, retryAfter?: number): FastifyReply {
  if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter))
  return reply.code(problem.status).type('application/problem+json; charset=utf-8').send(problem)
}

export function registerProblemHandlers (app: FastifyInstance): void {
  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { problem, retryAfter } = toProblem(err, request.id, inputPartOf(request))
    if (problem.status >= 500) request.log.error({ err }, 'request failed')
    else if (problem.code === 'VALIDATION_FAILED' || problem.status === 413 || problem.status === 415) request.log.debug({ err }, 'bad request')
    return sendProblem(reply, problem, retryAfter)
  })
  app.setNotFoundHandler((request, reply) => sendProblem(reply, problemOf('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`, request.id)))
}
