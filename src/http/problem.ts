// The one place that turns errors into RFC 9457 problem+json responses.

import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AppError, ServiceUnavailableError } from '../shared/errors.js'

export interface Problem {
  type: string
  title: string
  status: number
  detail: string
  code: string
  requestId: string
  [extension: string]: unknown
}

const titleOf = (code: string): string => code.charAt(0) + code.slice(1).toLowerCase().replace(/_/g, ' ')

export function problemOf (status: number, code: string, detail: string, requestId: string, extensions: Record<string, unknown> = {}): Problem {
  // Extensions first: they can never overwrite the problem's own members.
  return { ...extensions, type: `urn:concert-reservation:problem:${code}`, title: titleOf(code), status, detail, code, requestId }
}

// Errors of the drivers that mean "a backing store is down", not "a bug".
const STORE_DOWN = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'PROTOCOL_CONNECTION_LOST', 'ER_CON_COUNT_ERROR', 'ER_SERVER_SHUTDOWN', 'EHOSTUNREACH'])
function isStoreDown (err: unknown): boolean {
  const e = err as { code?: string, message?: string, errno?: number }
  return STORE_DOWN.has(e.code ?? '') || e.errno === 1053 || (err as { fatal?: boolean }).fatal === true ||
    /Connection is closed|connect ETIMEDOUT|Pool is closed|Stream isn't writeable|connection is in closed state/.test(e.message ?? '')
}

/** Maps any thrown error to a problem; unknown ones become a 500 that leaks nothing but the request id. */
export function toProblem (err: unknown, requestId: string): { problem: Problem, retryAfter?: number } {
  if (err instanceof ServiceUnavailableError) {
    return { problem: problemOf(503, err.code, err.message, requestId), retryAfter: err.retryAfterSeconds }
  }
  if (err instanceof AppError) return { problem: problemOf(err.status, err.code, err.message, requestId, err.extensions) }
  const fe = err as FastifyError
  if (fe.validation) {
    const errors = fe.validation.map(v => ({
      path: `${fe.validationContext ?? 'body'}${v.instancePath || ''}${v.keyword === 'required' ? `/${String((v.params as { missingProperty?: string }).missingProperty)}` : ''}${v.keyword === 'additionalProperties' ? `/${String((v.params as { additionalProperty?: string }).additionalProperty)}` : ''}`,
      message: v.keyword === 'additionalProperties' ? 'is not an accepted field' : (v.message ?? 'is not valid')
    }))
    return { problem: problemOf(400, 'VALIDATION_FAILED', `the request ${fe.validationContext ?? 'body'} is not valid`, requestId, { errors }) }
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return { problem: problemOf(413, 'PAYLOAD_TOO_LARGE', 'the request body is too large', requestId) }
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return { problem: problemOf(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json', requestId) }
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { problem: problemOf(400, 'VALIDATION_FAILED', 'the body is not valid JSON', requestId, { errors: [{ path: 'body', message: fe.message }] }) }
  }
  if (fe.statusCode === 400 || (err instanceof SyntaxError)) {
    return { problem: problemOf(400, 'VALIDATION_FAILED', 'the request is not valid', requestId, { errors: [{ path: 'body', message: fe.message }] }) }
  }
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { problem: problemOf(fe.statusCode, fe.statusCode === 404 ? 'NOT_FOUND' : 'BAD_REQUEST', fe.message, requestId) }
  }
  if (isStoreDown(err)) return { problem: problemOf(503, 'SERVICE_UNAVAILABLE', 'a backing store is unavailable, try again shortly', requestId), retryAfter: 2 }
  return { problem: problemOf(500, 'INTERNAL_ERROR', `something went wrong on our side; quote request id ${requestId}`, requestId) }
}

export function sendProblem (reply: FastifyReply, problem: Problem, retryAfter?: number): FastifyReply {
  if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter))
  return reply.code(problem.status).type('application/problem+json; charset=utf-8').send(problem)
}

export function registerProblemHandlers (app: FastifyInstance): void {
  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { problem, retryAfter } = toProblem(err, request.id)
    if (problem.status >= 500) request.log.error({ err }, 'request failed')
    else if (problem.code === 'VALIDATION_FAILED' || problem.status === 413 || problem.status === 415) request.log.debug({ err }, 'bad request')
    return sendProblem(reply, problem, retryAfter)
  })
  app.setNotFoundHandler((request, reply) => sendProblem(reply, problemOf(404, 'NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`, request.id)))
}
