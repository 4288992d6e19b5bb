// Errors met before any route hook (Node's parser, the router, the timeouts), answered as problem+json with an x-request-id.

import { randomUUID } from 'node:crypto'
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { ConnectionError, FastifyBaseLogger, FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import type { ErrorCode } from '../shared/error-catalogue.js'
import { AppError } from '../shared/errors.js'
import { problemOf, sendProblem } from './problem.js'

/** Longer URLs are refused with 414 (Node's own limit, 16 KiB for the request line and headers together, comes later). */
export const MAX_URL_LENGTH = 8192

/** What Node's parser (llhttp) and server report, as the contract's codes and a detail that repeats nothing the client sent. */
function describeClientError (err: ConnectionError): { code: ErrorCode, detail: string } {
  switch (err.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { code: 'REQUEST_TIMEOUT', detail: 'the request (its headers or its body) did not arrive in time' }
    case 'HPE_HEADER_OVERFLOW': {
      // The request line and the headers share one limit: a request line that alone is too long is a long URL.
      // (Fastify types rawPacket as its JSON form; Node hands over the Buffer.)
      const raw: unknown = err.rawPacket
      const firstLineEnd = Buffer.isBuffer(raw) ? raw.indexOf('\r\n') : -1
      return firstLineEnd < 0 || firstLineEnd > MAX_URL_LENGTH
        ? { code: 'URI_TOO_LONG', detail: `the URL is longer than ${MAX_URL_LENGTH} bytes` }
        : { code: 'HEADERS_TOO_LARGE', detail: 'the request headers are too large' }
    }
    case 'HPE_INVALID_METHOD': return { code: 'BAD_REQUEST', detail: 'the request method is not valid' }
    case 'HPE_INVALID_CONTENT_LENGTH':
    case 'HPE_UNEXPECTED_CONTENT_LENGTH': return { code: 'BAD_REQUEST', detail: 'the Content-Length header is not valid' }
    case 'HPE_INVALID_TRANSFER_ENCODING': return { code: 'BAD_REQUEST', detail: 'Transfer-Encoding is not valid here (it cannot come with Content-Length)' }
    case 'HPE_INVALID_CHUNK_SIZE': return { code: 'BAD_REQUEST', detail: 'a chunk size of the body is not valid' }
    default: return { code: 'BAD_REQUEST', detail: 'the request is malformed (request line, headers or body framing)' }
  }
}

/** A whole HTTP/1.1 response carrying a problem, for a socket no Fastify reply exists for. */
function rawProblemResponse (code: ErrorCode, detail: string, requestId: string): string {
  const problem = problemOf(code, detail, requestId)
  const body = JSON.stringify(problem)
  return [
    `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? 'Error'}`,
    'content-type: application/problem+json; charset=utf-8',
    `content-length: ${Buffer.byteLength(body)}`,
    `x-request-id: ${requestId}`,
    'connection: close',
    '', body
  ].join('\r\n')
}

/**
 * Fastify's clientErrorHandler: Node's parser refused the request (bad method, request line, Content-Length,
 * Transfer-Encoding, chunk size; headers or URL too long) or it did not arrive within the timeouts. Writes a
 * complete problem+json response on the socket and closes it. Logged at debug, without the bytes received
 * (they may hold tokens).
 */
export function createClientErrorHandler (log: () => FastifyBaseLogger) {
  return function onClientError (err: ConnectionError, socket: Socket): void {
    // A reset connection has nobody to answer; a response already under way cannot be replaced.
    const inFlight = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage
    if (err.code === 'ECONNRESET' || socket.destroyed || inFlight?.headersSent) {
      socket.destroy()
      return
    }
    const requestId = randomUUID()
    const { code, detail } = describeClientError(err)
    log().debug({ requestId, code, parserError: err.code, remoteAddress: socket.remoteAddress }, 'client error')
    if (socket.writable) socket.end(rawProblemResponse(code, detail, requestId))
    // end() lets the answer go out first; a client that never reads it must not keep the socket.
    setTimeout(() => socket.destroy(), 1000).unref()
  }
}

/** Fastify's frameworkErrors: the router refused a URL it could not decode, or a path parameter too long for it. */
export function onFrameworkError (err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  reply.header('x-request-id', request.id)
  const problem = err.code === 'FST_ERR_MAX_PARAM_LENGTH'
    ? problemOf('URI_TOO_LONG', 'a path segment of the URL is too long', request.id)
    : err.code === 'FST_ERR_BAD_URL'
      ? problemOf('BAD_REQUEST', 'the URL is not validly percent-encoded', request.id)
      : problemOf('INTERNAL_ERROR', `something went wrong on our side; quote request id ${request.id}`, request.id)
  if (problem.status >= 500) request.log.error({ err }, 'request failed before routing')
  void sendProblem(reply, problem)
}

/** Node's answer to an Expect header it does not know (417), as a problem. */
export function onUnknownExpectation (_req: IncomingMessage, res: ServerResponse): void {
  const requestId = randomUUID()
  const body = JSON.stringify(problemOf('EXPECTATION_FAILED', 'only Expect: 100-continue is supported', requestId))
  res.writeHead(417, { 'content-type': 'application/problem+json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'x-request-id': requestId, connection: 'close' })
  res.end(body)
}

/** onRequest checks of the request line that Node leaves to us: the URL's length, and Host on HTTP/1.1 (Node's own check answers plain text). */
export async function checkRequestLine (request: FastifyRequest): Promise<void> {
  if (request.url.length > MAX_URL_LENGTH) throw new AppError('URI_TOO_LONG', `the URL is longer than ${MAX_URL_LENGTH} bytes`)
  const { httpVersionMajor, httpVersionMinor } = request.raw
  if (httpVersionMajor === 1 && httpVersionMinor >= 1 && request.headers.host === undefined) throw new AppError('BAD_REQUEST', 'an HTTP/1.1 request needs a Host header')
}
