// TypeBox schemas shared by routes: validation and OpenAPI from one source.

import { Type, type TSchema } from 'typebox'
import { DATE_PATTERN } from '../shared/dates.js'
import { USER_ID_PATTERN } from './auth.js'

export const IdString = Type.String({ minLength: 1, maxLength: 32, description: 'an id (numeric ids are sent as strings)' })
export const UserId = Type.String({ pattern: USER_ID_PATTERN, description: '1–64 characters of [A-Za-z0-9_-]' })
export const CalendarDate = Type.String({ pattern: DATE_PATTERN, description: 'a calendar date YYYY-MM-DD' })
export const Instant = Type.String({ format: 'date-time', description: 'ISO-8601 UTC with milliseconds' })
export const Won = Type.Integer({ minimum: 0, description: 'an amount in won (KRW)' })
/** Query-string id: digits only (query strings are strings). */
export const QueryId = Type.String({ pattern: '^[1-9][0-9]{0,15}$' })

export const ProblemSchema = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.String(),
  code: Type.String({ description: 'stable UPPER_SNAKE error code' }),
  requestId: Type.String(),
  errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() })))
}, { additionalProperties: true, description: 'RFC 9457 problem details (application/problem+json)' })

const problemResponse = (description: string): TSchema => ({ ...ProblemSchema, description })

/** Documented error responses for a route, by status. */
export function problems (...statuses: number[]): Record<number, TSchema> {
  const text: Record<number, string> = {
    400: 'VALIDATION_FAILED', 401: 'UNAUTHENTICATED, QUEUE_TOKEN_REQUIRED or QUEUE_TOKEN_INVALID', 403: 'FORBIDDEN, QUEUE_NOT_ADMITTED or QUEUE_TOKEN_CONCERT_MISMATCH',
    404: 'a *_NOT_FOUND code', 409: 'a conflict code (see the route)', 410: 'QUEUE_TOKEN_EXPIRED', 413: 'PAYLOAD_TOO_LARGE', 415: 'UNSUPPORTED_MEDIA_TYPE',
    422: 'INSUFFICIENT_POINTS, CHARGE_LIMIT_EXCEEDED or IDEMPOTENCY_KEY_REUSED', 429: 'RATE_LIMITED', 503: 'SERVICE_UNAVAILABLE (with retry-after)'
  }
  return Object.fromEntries(statuses.map(s => [s, problemResponse(text[s] ?? 'problem')]))
}

export const BearerSecurity = [{ bearer: [] }]
export const QueueSecurity = [{ bearer: [], queueToken: [] }]

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7E]+$', description: 'makes the request exactly-once; kept 24 hours' }))
}, { additionalProperties: true })

export const QueueTokenHeaders = Type.Object({
  'queue-token': Type.Optional(Type.String({ description: 'the waiting-room token (ACTIVE for these routes)' }))
}, { additionalProperties: true })
